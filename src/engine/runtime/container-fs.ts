/**
 * A container's directories: the overlay upper and work dirs, the merged
 * mount point, its small init layer (mount points for /etc/hosts and
 * friends, so they never show up in diff or commit), and the files bound at
 * /etc/hostname, /etc/hosts and /etc/resolv.conf.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname as hostHostname } from 'node:os';
import { join } from 'node:path';
import type { Layout } from '../store/paths.js';

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

export const INIT_DIRS = ['dev', 'dev/pts', 'dev/shm', 'dev/mqueue', 'proc', 'sys', 'etc'];
export const INIT_FILES = ['etc/hostname', 'etc/hosts', 'etc/resolv.conf'];

const HOSTS = `127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
ff00::0\tip6-mcastprefix
ff02::1\tip6-allnodes
ff02::2\tip6-allrouters
`;

/** resolv.conf for a container in its own network namespace: the host's, without loopback servers. */
export function containerResolvConf(host: string): string {
  const lines = host.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
  if (!lines.some((l) => /^\s*nameserver\s/.test(l))) lines.push('nameserver 8.8.8.8', 'nameserver 8.8.4.4');
  return lines.join('\n').replace(/\n*$/, '\n');
}

/** What the files bound at /etc/hostname, /etc/hosts and /etc/resolv.conf hold, and the host resolv.conf they came from. */
export function containerFileContents(opts: { hostname: string; network: string }): { hostname: string; hosts: string; resolvConf: string; hostResolv: string } {
  const hostNet = opts.network === 'host';
  let hostResolv = '';
  try {
    hostResolv = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    hostResolv = '';
  }
  return {
    hostname: `${hostNet ? hostHostname() : opts.hostname}\n`,
    hosts: hostNet && existsSync('/etc/hosts') ? readFileSync('/etc/hosts', 'utf8') : HOSTS,
    resolvConf: hostNet ? hostResolv : containerResolvConf(hostResolv),
    hostResolv,
  };
}

export function createContainerDirs(p: ContainerPaths, opts: { hostname: string; network: string }): void {
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  // the upper and init dirs' modes become the container's / : world-searchable as in an image
  for (const d of [p.upper, p.merged, p.init]) mkdirSync(d, { recursive: true, mode: 0o755 });
  mkdirSync(p.work, { recursive: true, mode: 0o700 });
  for (const d of INIT_DIRS) mkdirSync(join(p.init, d), { recursive: true, mode: 0o755 });
  for (const f of INIT_FILES) closeSync(openSync(join(p.init, f), 'a', 0o644));
  const files = containerFileContents(opts);
  writeFileSync(p.hostname, files.hostname);
  writeFileSync(p.hosts, files.hosts);
  writeFileSync(p.resolvConf, files.resolvConf);
  closeSync(openSync(p.log, 'a', 0o640));
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
  mkdirSync(dir, { recursive: true });
  const tmp = `${link}.${process.pid}.tmp`;
  symlinkSync(target, tmp);
  renameSync(tmp, link);
  return `l/${name}`;
}

/**
 * Read a file as the container sees it before it runs: the upper dir, then
 * the init layer, then the image layers from the top. A whiteout hides it.
 */
export function readLayeredFile(dirs: string[], rel: string): string | null {
  for (const d of dirs) {
    const p = join(d, rel);
    try {
      const st = lstatSync(p);
      if (st.isCharacterDevice() && st.rdev === 0) return null;
      if (st.isFile()) return readFileSync(p, 'utf8');
      return null;
    } catch {
      continue;
    }
  }
  return null;
}
