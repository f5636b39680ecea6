/**
 * Which files hold a container's metrics, for a cgroup layout: pure, so the
 * choice is tested for v1, hybrid and v2 hosts alike. Paths are built once
 * per container; sampling then only re-reads them.
 */
import { join } from 'node:path';
import { cgroupDir, type CgroupLayout } from './hierarchy.js';
import { blkioV1, field, ioStatV2, single, v1Limit } from './parse.js';

export interface MetricFiles {
  v2: boolean;
  /** v1 cpuacct.usage (ns) | v2 cpu.stat (usage_usec). */
  cpu: string | null;
  /** v1 memory.usage_in_bytes | v2 memory.current. */
  memUsage: string | null;
  /** memory.stat: total_inactive_file (v1) / inactive_file (v2). */
  memStat: string | null;
  /** v1 memory.limit_in_bytes | v2 memory.max. */
  memLimit: string | null;
  /** v1 memory.failcnt | v2 memory.events (its "max" and "oom_kill" fields). */
  memEvents: string | null;
  /** v1 memory.oom_control (oom_kill); v2 has it in memory.events. */
  oomControl: string | null;
  pidsCurrent: string | null;
  pidsMax: string | null;
  /** v1 blkio.throttle.io_service_bytes_recursive | v2 io.stat. */
  io: string | null;
}

export function metricFiles(layout: CgroupLayout, cgroupPath: string): MetricFiles {
  const at = (controller: string, file: string) => {
    const dir = cgroupDir(cgroupPath, controller, layout);
    return dir ? join(dir, file) : null;
  };
  if (layout.v2) {
    return {
      v2: true,
      cpu: at('cpu', 'cpu.stat'),
      memUsage: at('memory', 'memory.current'),
      memStat: at('memory', 'memory.stat'),
      memLimit: at('memory', 'memory.max'),
      memEvents: at('memory', 'memory.events'),
      oomControl: null,
      pidsCurrent: at('pids', 'pids.current'),
      pidsMax: at('pids', 'pids.max'),
      io: at('io', 'io.stat'),
    };
  }
  return {
    v2: false,
    cpu: at('cpuacct', 'cpuacct.usage'),
    memUsage: at('memory', 'memory.usage_in_bytes'),
    memStat: at('memory', 'memory.stat'),
    memLimit: at('memory', 'memory.limit_in_bytes'),
    memEvents: at('memory', 'memory.failcnt'),
    oomControl: at('memory', 'memory.oom_control'),
    pidsCurrent: at('pids', 'pids.current'),
    pidsMax: at('pids', 'pids.max'),
    io: at('blkio', 'blkio.throttle.io_service_bytes_recursive'),
  };
}

/** One reading of a container's cgroup files, before any arithmetic across readings. */
export interface RawSample {
  cpuNs: number;
  memUsage: number;
  memInactiveFile: number;
  memLimit: number | null;
  memFailcnt: number;
  oomKills: number;
  pids: number;
  pidsLimit: number | null;
  blkRead: number;
  blkWrite: number;
}

export type MetricKey = Exclude<keyof MetricFiles, 'v2'>;

/** The numbers in the files' texts; `text(key)` is null where a file is absent. */
export function parseRaw(v2: boolean, text: (key: MetricKey) => string | null): RawSample {
  const or = (t: string | null, fallback: string) => t ?? fallback;
  const stat = or(text('memStat'), '');
  const events = or(text('memEvents'), v2 ? '' : '0');
  const io = or(text('io'), '');
  const blk = v2 ? ioStatV2(io) : blkioV1(io);
  return {
    cpuNs: v2 ? field(or(text('cpu'), ''), 'usage_usec') * 1000 : (single(or(text('cpu'), '0')) ?? 0),
    memUsage: single(or(text('memUsage'), '0')) ?? 0,
    memInactiveFile: field(stat, v2 ? 'inactive_file' : 'total_inactive_file'),
    memLimit: v2 ? single(or(text('memLimit'), 'max')) : v1Limit(or(text('memLimit'), 'max')),
    memFailcnt: v2 ? field(events, 'max') : (single(events) ?? 0),
    oomKills: field(v2 ? events : or(text('oomControl'), ''), 'oom_kill'),
    pids: single(or(text('pidsCurrent'), '0')) ?? 0,
    pidsLimit: single(or(text('pidsMax'), 'max')),
    blkRead: blk.read,
    blkWrite: blk.write,
  };
}
