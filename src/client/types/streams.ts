/** The streams the user interfaces follow: stats, events and long operations' progress (see images.ts). */

/**
 * One reading of a container's resources. Percentages follow the docker
 * CLI's formulas; the cumulative counters (cpu, net, block I/O) let a chart
 * derive rates.
 */
export interface StatsSample {
  id: string;
  name: string;
  /** ms since epoch when this sample was read. */
  time: number;
  /**
   * Δcontainer / Δsystem × onlineCpus × 100 since the previous reading of
   * this container; every sample has a real figure (0 when it used no CPU).
   */
  cpuPercent: number;
  /** Cumulative CPU time of the container, ns. */
  cpuTotalNs: number;
  /** Cumulative system CPU time, ns. */
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

/** What docker's stats JSON shows beyond the StatsSample figures (the engine's shape). */
export type { StatsDetail } from '../../engine/types.js';
import type { StatsDetail } from '../../engine/types.js';

export interface StatsOptions {
  /**
   * Sampling period, ms (default 1000, at least 100). A shared sampler reads
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
  /** image, container, volume, network, ... (what the engine reports). */
  Type: string;
  /** docker's action names: create, start, die, stop, kill, pause, destroy, tag, untag, delete, load, save, ... */
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: string;
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

/**
 * One message of a long operation's progress (pull, push, build, load):
 * docker's JSON message (moby pkg/jsonmessage), so the CLI renders it as
 * docker's CLI does, the app as panels, and an API server passes it on.
 */
export interface ProgressMessage {
  /** What the line is about: a layer's short ID, a tag. */
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  /** The rendered bar, when the producer renders it. */
  progress?: string;
  stream?: string;
  error?: string;
  errorDetail?: { code?: number; message: string };
  /** Results: push's {Tag, Digest, Size}; pull's {ID, Digest, Reference}. */
  aux?: Record<string, unknown>;
}
