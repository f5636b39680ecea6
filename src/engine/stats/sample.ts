/** From two readings of a container to the StatsSample the seam carries: the docker CLI's arithmetic, pure. */
import type { RawSample } from '../cgroup/files.js';
import type { RawDetail } from '../cgroup/detail.js';
import { cpuPercent, memoryUsed, type NetTotals } from '../cgroup/parse.js';
import type { StatsSample } from '../types.js';
import type { HostReading } from './host.js';

export interface Reading {
  raw: RawSample;
  net: NetTotals | null;
  /** Present when a subscriber asked for detail. */
  detail?: RawDetail | undefined;
  host: HostReading;
  /** ms since epoch. */
  time: number;
}

/** docker's daemon caps the limit at the host's memory (an unlimited cgroup reports about 2^63). */
export function effectiveLimit(limit: number | null, hostMemory: number): number {
  if (limit === null) return hostMemory;
  return hostMemory > 0 && limit > hostMemory ? hostMemory : limit;
}

export function toStatsSample(
  who: { id: string; name: string },
  cur: Reading,
  prev: Reading | null,
  hostMemory: number,
  v2 = false,
): StatsSample {
  const r = cur.raw;
  const memUsed = memoryUsed(r.memUsage, r.memInactiveFile);
  const memLimit = effectiveLimit(r.memLimit, hostMemory);
  const net = cur.net ?? { rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 };
  return {
    id: who.id,
    name: who.name,
    time: cur.time,
    cpuPercent: cpuPercent(
      prev ? { cpu: prev.raw.cpuNs, system: prev.host.systemNs } : null,
      { cpu: r.cpuNs, system: cur.host.systemNs },
      cur.host.onlineCpus,
    ),
    cpuTotalNs: r.cpuNs,
    systemNs: cur.host.systemNs,
    onlineCpus: cur.host.onlineCpus,
    memUsed,
    memLimit,
    memPercent: memLimit ? (memUsed / memLimit) * 100 : 0,
    memFailcnt: r.memFailcnt,
    oomKills: r.oomKills,
    netRxBytes: net.rxBytes,
    netTxBytes: net.txBytes,
    netRxPackets: net.rxPackets,
    netTxPackets: net.txPackets,
    blockRead: r.blkRead,
    blockWrite: r.blkWrite,
    pids: r.pids,
    pidsLimit: r.pidsLimit,
    ...(cur.detail
      ? {
          detail: {
            cgroupV2: v2,
            memUsage: r.memUsage,
            memMaxUsage: cur.detail.memMaxUsage,
            memStats: cur.detail.memStats,
            cpuUserNs: cur.detail.cpuUserNs,
            cpuSystemNs: cur.detail.cpuSystemNs,
            perCpuNs: cur.detail.perCpuNs,
            throttling: cur.detail.throttling,
            prevCpuTotalNs: prev?.raw.cpuNs ?? 0,
            prevSystemNs: prev?.host.systemNs ?? 0,
            prevTime: prev?.time ?? 0,
            blkio: cur.detail.blkio,
            networks: cur.detail.networks,
          },
        }
      : {}),
  };
}
