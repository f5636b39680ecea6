/**
 * A container's directories: the overlay upper and work dirs, the merged
 * mount point, its small init layer (mount points for /etc/hosts and
 * friends, so they never show up in diff or commit), and the files bound at
 * /etc/hostname, /etc/hosts and /etc/resolv.conf.
 */
import { existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname as hostHostname } from 'node:os';
import { join } from 'node:path';
import type { Layout } from '../store/paths.js';
import { baseResolv, containerResolv, DEFAULT_HOSTS, HOST_RESOLV_FILES, readHostResolv } from '../network/etc-files.js';

export interface ContainerPaths {
  dir: string;
  upper: string;
  work: string;
  merged: string;
  init: string;
  config: string;
  log: string;
  hostname: string;
  hosts: string;
  resolvConf: string;
  run: string;
}

export function containerPaths(layout: Layout, id: string): ContainerPaths {
  const dir = layout.container(id);
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    merged: join(dir, 'merged'),
    init: join(dir, 'init'),
    config: join(dir, 'config.json'),
    log: join(dir, 'ctr.log'),
    hostname: join(dir, 'hostname'),
    hosts: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
    run: layout.containerRun(id),
  };
}

const INIT_DIRS = ['dev', 'dev/pts', 'dev/shm', 'dev/mqueue', 'proc', 'sys', 'etc'];
const INIT_FILES = ['etc/hostname', 'etc/hosts', 'etc/resolv.conf'];

export interface ContainerSkeleton {
  /** [path, mode], parents first */
  dirs: [string, number][];
  /** [path, content, mode] */
  files: [string, string, number][];
  /** the host's files the container's copies were made from: [path, content] (a run plan holds while they do) */
  hostFiles: [string, string][];
}

/**
 * What a new container's directory holds before it first starts: the dirs
 * (the upper and init dirs' modes become the container's / : world-searchable
 * as in an image), the init layer's mount points, the files bound at
 * /etc/hostname, /etc/hosts and /etc/resolv.conf, and the empty log.
 */
export function containerSkeleton(p: ContainerPaths, opts: { hostname: string; network: string }): ContainerSkeleton {
  const hostNet = opts.network === 'host';
  const hr = readHostResolv();
  const hostFiles: [string, string][] = [[HOST_RESOLV_FILES[0], hr.text]];
  if (baseResolv(hr) !== hr.text) hostFiles.push([HOST_RESOLV_FILES[1], hr.upstream ?? '']);
  return {
    dirs: [
      [p.dir, 0o700],
      [p.upper, 0o755],
      [p.merged, 0o755],
      [p.init, 0o755],
      [p.work, 0o700],
      ...INIT_DIRS.map((d): [string, number] => [join(p.init, d), 0o755]),
    ],
    files: [
      ...INIT_FILES.map((f): [string, string, number] => [join(p.init, f), '', 0o644]),
      [p.hostname, `${hostNet ? hostHostname() : opts.hostname}\n`, 0o644],
      [p.hosts, hostNet && existsSync('/etc/hosts') ? readFileSync('/etc/hosts', 'utf8') : DEFAULT_HOSTS, 0o644],
      [p.resolvConf, hostNet ? hr.text : containerResolv(hr, {}), 0o644],
      [p.log, '', 0o640],
    ],
    hostFiles,
  };
}

export function createContainerDirs(p: ContainerPaths, opts: { hostname: string; network: string }): void {
  const s = containerSkeleton(p, opts);
  for (const [d, mode] of s.dirs) mkdirSync(d, { recursive: true, mode });
  for (const [f, content, mode] of s.files) writeFileSync(f, content, { mode });
}

/**
 * Short names for layer trees (l/<12 hex> -> ../layers/<chain>/diff), so the
 * overlay option string stays under a page with many layers.
 */
export function shortLayerLink(layout: Layout, chainId: string): string {
  const hex = chainId.slice(7);
  const name = hex.slice(0, 12);
  const dir = join(layout.root, 'l');
  const link = join(dir, name);
  const target = `../layers/${hex}/diff`;
  try {
    if (readlinkSync(link) === target) return `l/${name}`;
  } catch {
    /* missing */
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${link}.${process.pid}.tmp`;
  symlinkSync(target, tmp);
  renameSync(tmp, link);
  return `l/${name}`;
}
