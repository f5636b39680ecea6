/**
 * From StatsSamples to chart series: a rolling window of samples, and per-chart series derived from
 * it. CPU %, memory and PIDs are instant values; network and block I/O are cumulative counters,
 * turned into bytes per second over the real time between two samples.
 */
import type { StatsSample } from '../../client/api.js';
import { DEFAULT_WINDOW_MS } from './render-line-chart.js';

/**
 * Adds a sample to a window (oldest first) and drops what has left it. The newest sample older than
 * the window's start is kept: the line enters the chart from it and the first rate inside the window
 * has a sample to be taken against. A sample of another container starts a new window; a sample not
 * newer than the last one is ignored (the same array comes back, so memoised charts do not redraw).
 * Otherwise returns a new array; the old one is not changed.
 */
export function appendSample(
  window: readonly StatsSample[],
  sample: StatsSample,
  windowMs: number = DEFAULT_WINDOW_MS,
): readonly StatsSample[] {
  const last = window[window.length - 1];
  if (last && last.id !== sample.id) return [sample];
  if (last && sample.time <= last.time) return window;
  const start = sample.time - windowMs;
  let first = 0;
  while (first + 1 < window.length && window[first + 1]!.time <= start) first++;
  const out = window.slice(first);
  out.push(sample);
  return out;
}

/**
 * Bytes per second between two readings of a cumulative counter taken dtMs apart. A counter that went
 * down was reset (a restarted container starts from zero), so everything it counts now is new: the
 * rate is cur/dt, as Prometheus' rate() treats resets, never a negative spike. NaN when dt is not positive.
 */
export function counterRate(prev: number, cur: number, dtMs: number): number {
  if (!(dtMs > 0) || !Number.isFinite(prev) || !Number.isFinite(cur)) return NaN;
  const delta = cur >= prev ? cur - prev : cur;
  return (delta * 1000) / dtMs;
}

/** Per-sample series of one container; index i of every array belongs to times[i]. */
export interface StatsSeries {
  times: number[];
  cpuPercent: number[];
  memUsed: number[];
  memLimit: number[];
  /** Bytes per second; NaN for the first sample (nothing to take a difference against). */
  netRx: number[];
  netTx: number[];
  blockRead: number[];
  blockWrite: number[];
  pids: number[];
  /** Of the newest sample; null when unlimited or there is no sample. */
  pidsLimit: number | null;
}

/** Derives every chart's series from a window of samples of one container (oldest first). */
export function deriveStatsSeries(window: readonly StatsSample[]): StatsSeries {
  const out: StatsSeries = {
    times: [],
    cpuPercent: [],
    memUsed: [],
    memLimit: [],
    netRx: [],
    netTx: [],
    blockRead: [],
    blockWrite: [],
    pids: [],
    pidsLimit: window.length > 0 ? window[window.length - 1]!.pidsLimit : null,
  };
  let prev: StatsSample | undefined;
  for (const s of window) {
    const dt = prev ? s.time - prev.time : NaN;
    out.times.push(s.time);
    // The engine's CPU % is already over its own interval; a negative one can only come from a reset counter.
    out.cpuPercent.push(Number.isFinite(s.cpuPercent) && s.cpuPercent >= 0 ? s.cpuPercent : NaN);
    out.memUsed.push(s.memUsed);
    out.memLimit.push(s.memLimit);
    out.netRx.push(prev ? counterRate(prev.netRxBytes, s.netRxBytes, dt) : NaN);
    out.netTx.push(prev ? counterRate(prev.netTxBytes, s.netTxBytes, dt) : NaN);
    out.blockRead.push(prev ? counterRate(prev.blockRead, s.blockRead, dt) : NaN);
    out.blockWrite.push(prev ? counterRate(prev.blockWrite, s.blockWrite, dt) : NaN);
    out.pids.push(s.pids);
    prev = s;
  }
  return out;
}
