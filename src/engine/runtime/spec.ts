/**
 * The OCI runtime spec (config.json) for a container, as docker would
 * generate it: default mounts, capabilities, masked and read-only paths,
 * device nodes and rules, the seccomp profile, no_new_privs, resources, and
 * berth's overlay annotation.
 */
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { containerCapabilities } from '../container/capabilities.js';
import { DEFAULT_PATH } from '../container/options.js';
import type { ContainerRecord } from '../container/types.js';
import type { DeviceMapping } from '../security/devices.js';
import { containerSeccomp } from '../security/seccomp.js';
import { parseSecurityOpt } from '../security/security-opt.js';
import { containerDevices } from './devices.js';
import type { ExecUser } from './user.js';

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface SpecInputs {
  rec: ContainerRecord;
  user: ExecUser;
  rootfs: string;
  /** overlay mount data and the directory its relative lowerdirs are relative to */
  overlay: string;
  overlayChdir: string;
  files: { hostname: string; hosts: string; resolvConf: string };
  cgroupsPath: string;
  /** the static berth-monitor binary, bound at /dev/init for --init */
  initBinary?: string;
  /** volumes and binds (issue 4), after the defaults */
  extraMounts?: OciMount[];
  /** --network container:NAME: the network namespace to join */
  netns?: string;
}

/** docker's ReplaceOrAppendEnvValues. */
export function replaceOrAppendEnv(base: string[], extra: string[]): string[] {
  const out = [...base];
  for (const e of extra) {
    const key = e.includes('=') ? e.slice(0, e.indexOf('=')) : e;
    const i = out.findIndex((x) => x.slice(0, x.indexOf('=')) === key);
    if (!e.includes('=')) {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}

/** The environment a container process gets (docker's CreateDaemonEnvironment, plus HOME as runc sets it). */
export function containerEnv(rec: ContainerRecord, home: string): string[] {
  const base = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${rec.config.Hostname}`, ...(rec.config.Tty ? ['TERM=xterm'] : [])];
  const env = replaceOrAppendEnv(base, rec.config.Env ?? []);
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${home}`);
  return env;
}

function hostLastCap(): number {
  try {
    return Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
  } catch {
    return 40;
  }
}

export function buildSpec(i: SpecInputs): Record<string, unknown> {
  const { rec } = i;
  const hc = rec.hostConfig;
  const caps = containerCapabilities(hc.CapAdd, hc.CapDrop, hc.Privileged, hostLastCap());
  const security = parseSecurityOpt(hc.SecurityOpt as string[] | null);
  const seccomp = containerSeccomp(security, hc.Privileged, caps, { arch: process.arch, kernel: release() });
  const devices = containerDevices(hc.Privileged, hc.Devices as DeviceMapping[] | null);
  const args = [rec.path, ...rec.args];
  const ro = hc.ReadonlyRootfs;
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', hc.Privileged ? 'rw' : 'ro'],
    },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${hc.ShmSize}`],
    },
    {
      destination: '/etc/resolv.conf',
      type: 'bind',
      source: i.files.resolvConf,
      options: ['rbind', 'rprivate', ...(ro ? ['ro'] : [])],
    },
    {
      destination: '/etc/hostname',
      type: 'bind',
      source: i.files.hostname,
      options: ['rbind', 'rprivate', ...(ro ? ['ro'] : [])],
    },
    {
      destination: '/etc/hosts',
      type: 'bind',
      source: i.files.hosts,
      options: ['rbind', 'rprivate', ...(ro ? ['ro'] : [])],
    },
  ];
  if (hc.Init && i.initBinary) {
    mounts.push({ destination: '/dev/init', type: 'bind', source: i.initBinary, options: ['bind', 'ro'] });
    args.unshift('/dev/init', '--');
  }
  mounts.push(...(i.extraMounts ?? []));
  const namespaces: { type: string; path?: string }[] = [
    { type: 'pid' },
    { type: 'ipc' },
    { type: 'uts' },
    { type: 'mount' },
  ];
  if (i.netns) namespaces.push({ type: 'network', path: i.netns });
  else if (hc.NetworkMode !== 'host') namespaces.push({ type: 'network' });
  if (hc.CgroupnsMode === 'private') namespaces.push({ type: 'cgroup' });
  const memory: Record<string, number> = {};
  if (hc.Memory > 0) {
    memory.limit = hc.Memory;
    // docker: with --memory and no --memory-swap, memory+swap is twice the memory
    memory.swap = hc.MemorySwap === 0 ? hc.Memory * 2 : hc.MemorySwap;
  }
  if (hc.MemoryReservation > 0) memory.reservation = hc.MemoryReservation;
  const cpu: Record<string, number | string> = {};
  if (hc.CpuShares) cpu.shares = hc.CpuShares;
  if (hc.NanoCpus) {
    cpu.period = 100000;
    cpu.quota = Math.round((hc.NanoCpus / 1e9) * 100000);
  } else {
    if (hc.CpuPeriod) cpu.period = hc.CpuPeriod;
    if (hc.CpuQuota) cpu.quota = hc.CpuQuota;
  }
  if (hc.CpusetCpus) cpu.cpus = hc.CpusetCpus;
  if (hc.CpusetMems) cpu.mems = hc.CpusetMems;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: rec.config.Tty,
      ...(rec.config.Tty && consoleSize(hc) ? { consoleSize: consoleSize(hc) } : {}),
      user: { uid: i.user.uid, gid: i.user.gid, additionalGids: i.user.additionalGids },
      args,
      env: containerEnv(rec, i.user.home),
      cwd: rec.config.WorkingDir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      // berth's default is on (docker's is off); --security-opt no-new-privileges=false turns it off
      noNewPrivileges: security.noNewPrivileges ?? !hc.Privileged,
      oomScoreAdj: 0,
    },
    root: { path: i.rootfs, readonly: ro },
    hostname: rec.config.Hostname || undefined,
    mounts,
    annotations: {
      'berth.overlay': i.overlay,
      'berth.overlay.chdir': i.overlayChdir,
      // the root is mounted nodev (device nodes from the layers open nothing) unless --privileged
      ...(hc.Privileged ? { 'berth.rootfs.nodev': 'false' } : {}),
    },
    linux: {
      namespaces,
      cgroupsPath: i.cgroupsPath,
      ...(devices.nodes.length ? { devices: devices.nodes } : {}),
      resources: {
        devices: devices.rules,
        ...(Object.keys(memory).length ? { memory } : {}),
        ...(Object.keys(cpu).length ? { cpu } : {}),
        ...(hc.PidsLimit ? { pids: { limit: hc.PidsLimit } } : {}),
      },
      maskedPaths: hc.MaskedPaths,
      readonlyPaths: hc.ReadonlyPaths,
      ...(seccomp ? { seccomp } : {}),
    },
  };
}

/** The terminal's first size (docker's HostConfig.ConsoleSize, [rows, cols]), when the creator gave one. */
function consoleSize(hc: ContainerRecord['hostConfig']): { height: number; width: number } | undefined {
  const cs = hc.ConsoleSize;
  if (!Array.isArray(cs) || cs.length !== 2) return undefined;
  const [height, width] = cs as [number, number];
  return height > 0 && width > 0 ? { height, width } : undefined;
}
