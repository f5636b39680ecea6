/**
 * The device nodes and device rules of a container's bundle (linux.devices and
 * linux.resources.devices), as docker computes them: its default rules (runc's
 * allow list: mknod of any node, then null, zero, full, random, urandom, tty,
 * console, ptmx, pts/*, tun), plus each `--device` (the host node, or every
 * node under a host directory) with its permissions; `--privileged` allows
 * every device and creates the host's nodes, as docker does. Reads the host's
 * /dev; a missing or non-device path fails with docker's message.
 */
import { lstatSync, readdirSync, realpathSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { checkDeviceMapping, checkDevicePath, type DeviceMapping } from '../security/devices.js';

export interface OciDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

export interface OciDeviceRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access: string;
}

export const DEFAULT_DEVICE_RULES: OciDeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // null
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // zero
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, // full
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // random
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // urandom
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // tty
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // console
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // ptmx
  { allow: true, type: 'c', major: 136, access: 'rwm' }, // pts/*
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, // net/tun
];

/** glibc's major()/minor() of a dev_t. */
const major = (d: bigint) => Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
const minor = (d: bigint) => Number((d & 0xffn) | ((d >> 12n) & ~0xffn));

function node(st: BigIntStats, path: string): OciDevice | null {
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : null;
  if (!type || st.rdev === 0n) return null;
  return {
    path,
    type,
    major: major(st.rdev),
    minor: minor(st.rdev),
    fileMode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
  };
}

/** Every device node under dir (on the host), as it would appear under `as`. */
function walk(dir: string, as: string, skip: (name: string) => boolean, out: OciDevice[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    if (skip(name)) continue;
    let st: BigIntStats;
    try {
      st = lstatSync(join(dir, name), { bigint: true });
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(join(dir, name), `${as}/${name}`, skip, out);
    else {
      const d = node(st, `${as}/${name}`);
      if (d) out.push(d);
    }
  }
}

/** One --device: its nodes (a directory gives every node below it), as moby's DevicesFromPath. */
export function deviceNodes(m: DeviceMapping): OciDevice[] {
  const d = checkDeviceMapping(m);
  const fail = (why: string) =>
    new BerthError(
      'INVALID_ARGUMENT',
      `error gathering device information while adding custom device ${JSON.stringify(d.PathOnHost)}: ${why}`,
    );
  let src = d.PathOnHost;
  let st: BigIntStats;
  try {
    if (lstatSync(src).isSymbolicLink()) src = realpathSync(src);
    st = statSync(src, { bigint: true });
  } catch (e) {
    throw fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message);
  }
  const one = node(st, d.PathInContainer);
  const out: OciDevice[] = one ? [one] : [];
  if (!one && st.isDirectory()) walk(src, d.PathInContainer.replace(/\/+$/, ''), () => false, out);
  if (!out.length) throw fail('not a device node');
  for (const n of out) checkDevicePath(n.path);
  return out;
}

/** The host's device nodes for --privileged (runc's HostDevices: not pts, shm, mqueue, fd, console). */
function hostDevices(): OciDevice[] {
  const out: OciDevice[] = [];
  const skipped = ['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev', 'console', 'ptmx'];
  walk('/dev', '/dev', (name) => skipped.includes(name), out);
  return out;
}

/** linux.devices and linux.resources.devices for a container. */
export function containerDevices(
  privileged: boolean,
  mappings: readonly DeviceMapping[] | null | undefined,
): { nodes: OciDevice[]; rules: OciDeviceRule[] } {
  const nodes = privileged ? hostDevices() : [];
  const rules: OciDeviceRule[] = privileged ? [{ allow: true, access: 'rwm' }] : [...DEFAULT_DEVICE_RULES];
  for (const m of mappings ?? []) {
    const access = checkDeviceMapping(m).CgroupPermissions;
    for (const n of deviceNodes(m)) {
      const i = nodes.findIndex((x) => x.path === n.path);
      if (i >= 0) nodes.splice(i, 1);
      nodes.push(n);
      if (!privileged) rules.push({ allow: true, type: n.type, major: n.major, minor: n.minor, access });
    }
  }
  return { nodes, rules };
}
