/**
 * The rest of what docker's stats document shows, read only when a
 * subscriber asks for it (the API server does; the CLI's table and the app
 * need only the figures in RawSample): memory.stat as a whole, user and
 * system CPU time, per-CPU usage (v1), CFS throttling, the v1 peak memory,
 * block I/O per device and network per interface. Pure parsers, and the
 * file choice per cgroup layout.
 */
import { join } from 'node:path';
import { cgroupDir, type CgroupLayout } from './hierarchy.js';
import { field, keyValues, single } from './parse.js';

export interface DetailFiles {
  /** v1 cpuacct.stat (user/system in clock ticks); v2 cpu.stat has them. */
  cpuacctStat: string | null;
  /** v1 cpuacct.usage_percpu. */
  perCpu: string | null;
  /** cpu.stat: v1 throttling counters; v2 usage, user, system and throttling. */
  cpuStat: string | null;
  /** v1 memory.max_usage_in_bytes (v2 has no peak before memory.peak; left out). */
  memMaxUsage: string | null;
}

export function detailFiles(layout: CgroupLayout, cgroupPath: string): DetailFiles {
  const at = (controller: string, file: string) => {
    const dir = cgroupDir(cgroupPath, controller, layout);
    return dir ? join(dir, file) : null;
  };
  if (layout.v2) return { cpuacctStat: null, perCpu: null, cpuStat: at('cpu', 'cpu.stat'), memMaxUsage: null };
  return {
    cpuacctStat: at('cpuacct', 'cpuacct.stat'),
    perCpu: at('cpuacct', 'cpuacct.usage_percpu'),
    cpuStat: at('cpu', 'cpu.stat'),
    memMaxUsage: at('memory', 'memory.max_usage_in_bytes'),
  };
}

export interface NetInterface {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface RawDetail {
  memStats: Record<string, number>;
  memMaxUsage: number | null;
  cpuUserNs: number;
  cpuSystemNs: number;
  perCpuNs: number[] | null;
  throttling: { periods: number; throttledPeriods: number; throttledTimeNs: number };
  blkio: BlkioEntry[];
  networks: Record<string, NetInterface>;
}

/** /proc/<pid>/net/dev per interface, loopback excluded (docker's eth0, eth1, ...). */
export function netDevInterfaces(text: string): Record<string, NetInterface> {
  const out: Record<string, NetInterface> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!name || name === 'lo') continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    out[name] = {
      rxBytes: f[0] ?? 0,
      rxPackets: f[1] ?? 0,
      rxErrors: f[2] ?? 0,
      rxDropped: f[3] ?? 0,
      txBytes: f[8] ?? 0,
      txPackets: f[9] ?? 0,
      txErrors: f[10] ?? 0,
      txDropped: f[11] ?? 0,
    };
  }
  return out;
}

/** Block I/O bytes per device and operation: v1 "MAJ:MIN Op N" lines (Read, Write, ... as the file has them), v2 io.stat's rbytes/wbytes (read, write), as dockerd reports them. */
export function blkioEntries(v2: boolean, text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(f[0] ?? '');
    if (!dev) continue;
    const [major, minor] = [Number(dev[1]), Number(dev[2])];
    if (v2) {
      for (const kv of f.slice(1)) {
        const [k, v] = kv.split('=');
        if (k === 'rbytes') out.push({ major, minor, op: 'read', value: Number(v) });
        else if (k === 'wbytes') out.push({ major, minor, op: 'write', value: Number(v) });
      }
    } else if (f.length === 3 && /^\d+$/.test(f[2]!)) out.push({ major, minor, op: f[1]!, value: Number(f[2]) });
  }
  return out;
}

export function parseDetail(
  v2: boolean,
  texts: { memStat: string; io: string; netDev: string | null } & { [K in keyof DetailFiles]: string | null },
  clockTicks = 100,
): RawDetail {
  const cpuStat = texts.cpuStat ?? '';
  const memStats = Object.fromEntries(keyValues(texts.memStat));
  const tickNs = 1e9 / clockTicks;
  return {
    memStats,
    memMaxUsage: texts.memMaxUsage === null ? null : single(texts.memMaxUsage),
    cpuUserNs: v2 ? field(cpuStat, 'user_usec') * 1000 : field(texts.cpuacctStat ?? '', 'user') * tickNs,
    cpuSystemNs: v2 ? field(cpuStat, 'system_usec') * 1000 : field(texts.cpuacctStat ?? '', 'system') * tickNs,
    perCpuNs: texts.perCpu ? texts.perCpu.trim().split(/\s+/).filter(Boolean).map(Number) : null,
    throttling: {
      periods: field(cpuStat, 'nr_periods'),
      throttledPeriods: field(cpuStat, 'nr_throttled'),
      throttledTimeNs: v2 ? field(cpuStat, 'throttled_usec') * 1000 : field(cpuStat, 'throttled_time'),
    },
    blkio: blkioEntries(v2, texts.io),
    networks: texts.netDev ? netDevInterfaces(texts.netDev) : {},
  };
}
