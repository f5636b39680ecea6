/**
 * What `docker info` reports, for berth: the store's counts, the host's
 * kernel, OS, CPUs and memory, the cgroup version, what confinement applies.
 * Read fresh on every call (counts change; the host facts are cheap).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statfsSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, hostname, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { cgroupLayout } from '../cgroup/hierarchy.js';
import { monitorPath } from '../native.js';
import type { Store } from '../store/store.js';
import type { SystemInfo } from '../types.js';

/** Magic numbers of the file systems a store commonly sits on, as docker names them ("Backing Filesystem"). */
const FS_NAMES: Record<number, string> = {
  0xef53: 'extfs',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlayfs',
  0x2fc12fc1: 'zfs',
  0xf2f52010: 'f2fs',
};

/** docker's Go architecture names for Node's. */
const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i686', s390x: 's390x' };

function osRelease(): { name: string; version: string } {
  for (const f of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      const text = readFileSync(f, 'utf8');
      const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1]?.replace(/^"|"$/g, '');
      return { name: get('PRETTY_NAME') ?? 'Linux', version: get('VERSION_ID') ?? '' };
    } catch {
      /* next */
    }
  }
  return { name: 'Linux', version: '' };
}

/** The store's engine ID: made once, kept in <root>/engine-id (docker keeps one the same way). */
function engineId(root: string): string {
  const file = join(root, 'engine-id');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const id = randomUUID();
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, id + '\n', { mode: 0o600 });
    renameSync(tmp, file);
    return readFileSync(file, 'utf8').trim();
  }
}

function backingFs(dir: string): string {
  try {
    const t = statfsSync(dir).type;
    return FS_NAMES[t] ?? `0x${t.toString(16)}`;
  } catch {
    return 'unknown';
  }
}

function controllerFile(v2: boolean, controllers: Map<string, string>, controller: string, file: string): boolean {
  if (v2) return existsSync(join('/sys/fs/cgroup', file));
  const m = controllers.get(controller);
  return !!m && existsSync(join(m, file));
}

export interface InfoCounts {
  running: number;
  paused: number;
  stopped: number;
  images: number;
}

export function systemInfo(store: Store, counts: InfoCounts, version: string): SystemInfo {
  const layout = cgroupLayout();
  const c = layout.controllers;
  const os = osRelease();
  const root = store.layout.root;
  const warnings: string[] = [];
  const swap = controllerFile(layout.v2, c, 'memory', layout.v2 ? 'memory.swap.max' : 'memory.memsw.limit_in_bytes');
  if (!layout.v2 && !swap) warnings.push('WARNING: No swap limit support');
  let ipv4Forwarding = false;
  try {
    ipv4Forwarding = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() === '1';
  } catch {
    /* not readable: off */
  }
  return {
    id: engineId(root),
    name: hostname(),
    containers: counts.running + counts.paused + counts.stopped,
    containersRunning: counts.running,
    containersPaused: counts.paused,
    containersStopped: counts.stopped,
    images: counts.images,
    driver: 'overlayfs',
    driverStatus: [
      ['Backing Filesystem', backingFs(root)],
      ['Supports d_type', 'true'],
    ],
    loggingDriver: 'json-file',
    logDrivers: ['json-file', 'none'],
    volumeDrivers: ['local'],
    networkDrivers: ['host', 'null'],
    cgroupDriver: 'cgroupfs',
    cgroupVersion: layout.v2 ? '2' : '1',
    memoryLimit:
      controllerFile(layout.v2, c, 'memory', layout.v2 ? 'memory.max' : 'memory.limit_in_bytes') || !layout.v2,
    swapLimit: swap,
    cpuCfsPeriod: layout.v2 || controllerFile(false, c, 'cpu', 'cpu.cfs_period_us'),
    cpuCfsQuota: layout.v2 || controllerFile(false, c, 'cpu', 'cpu.cfs_quota_us'),
    cpuShares: layout.v2 || controllerFile(false, c, 'cpu', 'cpu.shares'),
    cpuSet: layout.v2 || c.has('cpuset'),
    pidsLimit: layout.v2 || c.has('pids'),
    oomKillDisable: !layout.v2,
    ipv4Forwarding,
    kernelVersion: release(),
    operatingSystem: os.name,
    osVersion: os.version,
    osType: 'linux',
    architecture: ARCH[arch()] ?? arch(),
    ncpu: availableParallelism(),
    memTotal: totalmem(),
    rootDir: root,
    runtimes: { berth: { path: monitorPath() } },
    defaultRuntime: 'berth',
    initBinary: 'berth-monitor',
    securityOptions: ['name=no-new-privileges'],
    serverVersion: version,
    systemTime: new Date().toISOString(),
    warnings,
  };
}
