/**
 * Metrics and events: the streams the app and `stats` / `events` read.
 * Plain data crossing the engine boundary, shaped after the Docker Engine API (types.ts says why).
 */

/**
 * One reading of a container's resources, straight from its cgroup and
 * network namespace. Percentages follow the docker CLI's formulas; the
 * cumulative counters (cpu, net, block I/O) let a chart derive rates.
 */
export interface StatsSample {
  id: string;
  name: string;
  /** ms since epoch when this sample was read. */
  time: number;
  /**
   * Δcontainer / Δsystem × onlineCpus × 100 since the sampler's previous
   * reading of this container. A container is read once when first seen and
   * its samples are delivered from the next interval on, so every sample has
   * a real figure (0 when it used no CPU).
   */
  cpuPercent: number;
  /** Cumulative CPU time of the container, ns. */
  cpuTotalNs: number;
  /** Cumulative system CPU time (/proc/stat), ns. */
  systemNs: number;
  onlineCpus: number;
  /** usage − inactive file (v2 inactive_file, v1 total_inactive_file), bytes. */
  memUsed: number;
  /** The container's memory limit, capped at the host's memory, bytes. */
  memLimit: number;
  memPercent: number;
  memFailcnt: number;
  oomKills: number;
  /** Network totals over the container's interfaces (loopback excluded), cumulative. */
  netRxBytes: number;
  netTxBytes: number;
  netRxPackets: number;
  netTxPackets: number;
  /** Block I/O totals, cumulative bytes. */
  blockRead: number;
  blockWrite: number;
  pids: number;
  /** null when unlimited. */
  pidsLimit: number | null;
  /** The rest of docker's stats document, when a subscriber asked for it (StatsOptions.detail). */
  detail?: StatsDetail;
}

/** What docker's stats JSON shows beyond the StatsSample figures (cgroup v1 or v2 as the host has). */
export interface StatsDetail {
  cgroupV2: boolean;
  /** memory.usage_in_bytes / memory.current, page cache included. */
  memUsage: number;
  /** v1 memory.max_usage_in_bytes; null on v2. */
  memMaxUsage: number | null;
  /** memory.stat, every field (v1: total_inactive_file ...; v2: inactive_file ...). */
  memStats: Record<string, number>;
  cpuUserNs: number;
  cpuSystemNs: number;
  /** v1 per-CPU usage; null on v2. */
  perCpuNs: number[] | null;
  throttling: { periods: number; throttledPeriods: number; throttledTimeNs: number };
  /** The reading before this one (docker's precpu_stats): cumulative CPU and system time, ns, and when (ms). */
  prevCpuTotalNs: number;
  prevSystemNs: number;
  prevTime: number;
  /** Bytes per device and operation ("read", "write"). */
  blkio: { major: number; minor: number; op: string; value: number }[];
  /** Per interface, loopback excluded. */
  networks: Record<
    string,
    {
      rxBytes: number;
      rxPackets: number;
      rxErrors: number;
      rxDropped: number;
      txBytes: number;
      txPackets: number;
      txErrors: number;
      txDropped: number;
    }
  >;
}

export interface StatsOptions {
  /**
   * Sampling period, ms (default 1000, at least 100). The shared sampler reads
   * at the shortest period any subscriber asked for; a subscriber with a
   * longer one gets the samples of the readings due for it.
   */
  intervalMs?: number;
  /** Also read what docker's stats document has beyond the figures (StatsSample.detail). */
  detail?: boolean;
  signal?: AbortSignal;
}

/** An engine event, shaped as the Docker Engine API's EventMessage. */
export interface EngineEvent {
  Type: 'image' | 'container' | 'volume' | 'network';
  /** docker's action names: create, start, die, stop, kill, pause, destroy, tag, untag, delete, load, save, ... */
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  /** Seconds since epoch. */
  time: number;
  /** Nanoseconds since epoch. */
  timeNano: bigint;
}

export interface EventOptions {
  /**
   * Replay events from this time on (default: only new events): ms since the
   * epoch, or a string in docker's forms (RFC3339 date/time, Unix seconds,
   * or a Go duration such as "10m" before now).
   */
  since?: number | string;
  /** The stream ends when this time passes (default: follows until aborted); same forms. */
  until?: number | string;
  /** docker's filters: type, event/action, container, image, volume, label. */
  filters?: Map<string, string[]>;
  signal?: AbortSignal;
}
