/**
 * docker's stats document (GET /containers/{id}/stats) from a StatsSample
 * with its detail: cpu_stats and precpu_stats as the docker CLI's CPU %
 * formula reads them (so it shows what `berth stats` shows), memory_stats in
 * the cgroup v1 or v2 form the host has, block I/O per device, networks per
 * interface, pids. Pure.
 */
import type { StatsSample } from '../../client/api.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

function cpuDoc(total: number, system: number, online: number, s: StatsSample | null, pre: boolean) {
  const d = s?.detail;
  const usage: Record<string, unknown> = { total_usage: total };
  if (!pre && d?.perCpuNs) usage.percpu_usage = d.perCpuNs;
  usage.usage_in_kernelmode = pre || !d ? 0 : d.cpuSystemNs;
  usage.usage_in_usermode = pre || !d ? 0 : d.cpuUserNs;
  return {
    cpu_usage: usage,
    ...(system ? { system_cpu_usage: system } : {}),
    ...(online ? { online_cpus: online } : {}),
    throttling_data:
      pre || !d
        ? { periods: 0, throttled_periods: 0, throttled_time: 0 }
        : {
            periods: d.throttling.periods,
            throttled_periods: d.throttling.throttledPeriods,
            throttled_time: d.throttling.throttledTimeNs,
          },
  };
}

function memoryDoc(s: StatsSample): Record<string, unknown> {
  const d = s.detail;
  if (!d) return { usage: s.memUsed, limit: s.memLimit };
  if (d.cgroupV2) return { usage: d.memUsage, stats: d.memStats, limit: s.memLimit };
  return {
    usage: d.memUsage,
    ...(d.memMaxUsage !== null ? { max_usage: d.memMaxUsage } : {}),
    stats: d.memStats,
    failcnt: s.memFailcnt,
    limit: s.memLimit,
  };
}

const iso = (ms: number) => (ms ? new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z') : ZERO_TIME);

/** One stats document; `oneShot` leaves precpu_stats empty (as dockerd's one-shot does). */
export function statsDoc(s: StatsSample, name: string, oneShot = false): Record<string, unknown> {
  const d = s.detail;
  const networks = d
    ? Object.fromEntries(
        Object.entries(d.networks).map(([k, n]) => [
          k,
          {
            rx_bytes: n.rxBytes,
            rx_packets: n.rxPackets,
            rx_errors: n.rxErrors,
            rx_dropped: n.rxDropped,
            tx_bytes: n.txBytes,
            tx_packets: n.txPackets,
            tx_errors: n.txErrors,
            tx_dropped: n.txDropped,
          },
        ]),
      )
    : {};
  return {
    name,
    id: s.id,
    read: iso(s.time),
    preread: oneShot || !d ? ZERO_TIME : iso(d.prevTime),
    pids_stats: { current: s.pids, ...(s.pidsLimit !== null ? { limit: s.pidsLimit } : {}) },
    blkio_stats: {
      io_service_bytes_recursive: d ? d.blkio : null,
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuDoc(s.cpuTotalNs, s.systemNs, s.onlineCpus, s, false),
    precpu_stats:
      oneShot || !d ? cpuDoc(0, 0, 0, null, true) : cpuDoc(d.prevCpuTotalNs, d.prevSystemNs, s.onlineCpus, s, true),
    memory_stats: memoryDoc(s),
    ...(Object.keys(networks).length ? { networks } : {}),
  };
}

/** The document of a container that is not running: zeros, as dockerd answers. */
export function emptyStatsDoc(id: string, name: string): Record<string, unknown> {
  return {
    name,
    id,
    read: ZERO_TIME,
    preread: ZERO_TIME,
    pids_stats: {},
    blkio_stats: {
      io_service_bytes_recursive: null,
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuDoc(0, 0, 0, null, true),
    precpu_stats: cpuDoc(0, 0, 0, null, true),
    memory_stats: {},
  };
}
