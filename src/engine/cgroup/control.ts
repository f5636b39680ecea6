/** Acting on a live container's cgroup: freeze/thaw (pause), members (top), limits (update). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { cgroupDir, cgroupLayout, readCgroupFile } from './hierarchy.js';

export function isFrozen(path: string): boolean {
  const layout = cgroupLayout();
  if (layout.v2) return readCgroupFile(path, 'freezer', 'cgroup.freeze')?.trim() === '1';
  const s = readCgroupFile(path, 'freezer', 'freezer.state')?.trim();
  return s === 'FROZEN' || s === 'FREEZING';
}

function write(dir: string | null, file: string, value: string, what: string): void {
  if (!dir) throw new BerthError('NOT_SUPPORTED', `${what}: the cgroup controller is not available on this host`);
  try {
    writeFileSync(join(dir, file), value);
  } catch (e) {
    throw new BerthError('RUNTIME', `${what}: cannot write ${join(dir, file)}: ${(e as Error).message}`, { cause: e });
  }
}

/** Freeze or thaw every process of the container; waits until the kernel says it is done. */
export async function setFrozen(path: string, frozen: boolean): Promise<void> {
  const layout = cgroupLayout();
  if (layout.v2) {
    write(cgroupDir(path, 'freezer'), 'cgroup.freeze', frozen ? '1' : '0', frozen ? 'pause' : 'unpause');
    for (let i = 0; i < 500; i++) {
      const ev = readCgroupFile(path, 'freezer', 'cgroup.events') ?? '';
      if (new RegExp(`^frozen ${frozen ? 1 : 0}$`, 'm').test(ev)) return;
      await new Promise((r) => setTimeout(r, 2));
    }
  } else {
    const dir = cgroupDir(path, 'freezer');
    for (let i = 0; i < 500; i++) {
      write(dir, 'freezer.state', frozen ? 'FROZEN' : 'THAWED', frozen ? 'pause' : 'unpause');
      const s = readCgroupFile(path, 'freezer', 'freezer.state')?.trim();
      if (s === (frozen ? 'FROZEN' : 'THAWED')) return;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  throw new BerthError('RUNTIME', `${frozen ? 'pause' : 'unpause'}: the freezer did not settle`);
}

/** Host pids of every process in the container's cgroup. */
export function cgroupPids(path: string): number[] {
  const layout = cgroupLayout();
  const text = layout.v2
    ? readCgroupFile(path, 'pids', 'cgroup.procs')
    : (readCgroupFile(path, 'pids', 'cgroup.procs') ?? readCgroupFile(path, 'memory', 'cgroup.procs'));
  return (text ?? '')
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
}

export interface LiveResources {
  memory?: number;
  memorySwap?: number;
  memoryReservation?: number;
  nanoCpus?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  pidsLimit?: number | null;
}

/** Change limits of a running container (docker update). */
export function updateResources(path: string, r: LiveResources): void {
  const layout = cgroupLayout();
  const d = (c: string) => cgroupDir(path, c);
  const period = r.cpuPeriod || 100000;
  const quota = r.nanoCpus ? Math.round((r.nanoCpus / 1e9) * period) : r.cpuQuota;
  if (layout.v2) {
    if (r.memory !== undefined)
      write(d('memory'), 'memory.max', r.memory > 0 ? String(r.memory) : 'max', 'update memory');
    if (r.memorySwap !== undefined && r.memory !== undefined && r.memorySwap !== 0) {
      write(
        d('memory'),
        'memory.swap.max',
        r.memorySwap < 0 ? 'max' : String(Math.max(0, r.memorySwap - r.memory)),
        'update memory-swap',
      );
    }
    if (r.memoryReservation !== undefined)
      write(d('memory'), 'memory.low', String(r.memoryReservation), 'update memory-reservation');
    if (quota !== undefined) write(d('cpu'), 'cpu.max', `${quota > 0 ? quota : 'max'} ${period}`, 'update cpus');
    if (r.cpuShares)
      write(d('cpu'), 'cpu.weight', String(1 + Math.floor(((r.cpuShares - 2) * 9999) / 262142)), 'update cpu-shares');
    if (r.cpusetCpus !== undefined) write(d('cpuset'), 'cpuset.cpus', r.cpusetCpus, 'update cpuset-cpus');
    if (r.pidsLimit !== undefined)
      write(d('pids'), 'pids.max', r.pidsLimit && r.pidsLimit > 0 ? String(r.pidsLimit) : 'max', 'update pids-limit');
    return;
  }
  if (r.memory !== undefined) {
    const mem = r.memory > 0 ? r.memory : -1;
    // raising the limit above memsw needs memsw raised first; lowering, the reverse
    const memswFile = join(d('memory') ?? '', 'memory.memsw.limit_in_bytes');
    let memsw: number | null = null;
    try {
      memsw = Number(readFileSync(memswFile, 'utf8'));
    } catch {
      memsw = null;
    }
    const swap = r.memorySwap !== undefined && r.memorySwap !== 0 ? (r.memorySwap < 0 ? -1 : r.memorySwap) : null;
    if (memsw !== null && swap !== null && (swap === -1 || swap > memsw))
      write(d('memory'), 'memory.memsw.limit_in_bytes', String(swap), 'update memory-swap');
    write(d('memory'), 'memory.limit_in_bytes', String(mem), 'update memory');
    if (memsw !== null && swap !== null && swap !== -1 && swap <= memsw)
      write(d('memory'), 'memory.memsw.limit_in_bytes', String(swap), 'update memory-swap');
  }
  if (r.memoryReservation !== undefined)
    write(d('memory'), 'memory.soft_limit_in_bytes', String(r.memoryReservation || -1), 'update memory-reservation');
  if (quota !== undefined) {
    write(d('cpu'), 'cpu.cfs_period_us', String(period), 'update cpus');
    write(d('cpu'), 'cpu.cfs_quota_us', String(quota > 0 ? quota : -1), 'update cpus');
  }
  if (r.cpuShares) write(d('cpu'), 'cpu.shares', String(r.cpuShares), 'update cpu-shares');
  if (r.cpusetCpus !== undefined) write(d('cpuset'), 'cpuset.cpus', r.cpusetCpus, 'update cpuset-cpus');
  if (r.pidsLimit !== undefined)
    write(d('pids'), 'pids.max', r.pidsLimit && r.pidsLimit > 0 ? String(r.pidsLimit) : 'max', 'update pids-limit');
}
