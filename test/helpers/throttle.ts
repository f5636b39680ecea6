/**
 * Slowing a process down with a CPU quota (a cgroup of its own), so that a
 * test can act while a short piece of work (a save of a few tens of MB) is
 * surely still going: the work is real, only its share of the CPU is small.
 * cgroup v1 (the cpu controller's hierarchy) or v2 (cpu.max), as root.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const V1 = '/sys/fs/cgroup/cpu';
const V2 = '/sys/fs/cgroup';

/** Why throttling cannot work here, or null. */
export function throttleUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (a cgroup of its own)';
  if (existsSync(join(V1, 'cpu.cfs_quota_us'))) return null;
  try {
    if (readFileSync(join(V2, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('cpu')) return null;
  } catch {
    // no v2 unified hierarchy
  }
  return 'no cgroup cpu controller to throttle with';
}

export interface Throttle {
  /** Move the process (all its threads) under the quota. */
  add(pid: number): void;
  /** Remove the cgroup (its processes must have ended or moved). */
  remove(): void;
}

/** A cgroup allowing `percent` of one CPU. */
export function cpuThrottle(percent: number): Throttle {
  const name = `berth-test-throttle-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const v1 = existsSync(join(V1, 'cpu.cfs_quota_us'));
  const dir = join(v1 ? V1 : V2, name);
  mkdirSync(dir);
  const period = 100_000;
  const quota = Math.max(1000, Math.round((period * percent) / 100));
  if (v1) {
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(period));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
  } else {
    writeFileSync(join(dir, 'cpu.max'), `${quota} ${period}`);
  }
  return {
    add(pid) {
      writeFileSync(join(dir, 'cgroup.procs'), String(pid));
    },
    remove() {
      // processes still in it go back to the root first
      try {
        for (const p of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean))
          writeFileSync(join(v1 ? V1 : V2, 'cgroup.procs'), p);
        rmdirSync(dir);
      } catch {
        // already gone
      }
    },
  };
}
