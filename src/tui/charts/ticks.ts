/** Y-axis scaling: a range rounded out to nice ticks (1, 2, 2.5, 5 × 10ⁿ of the unit the labels use). */
import { sizeDivisor } from '../../client/format/humanize.js';
import type { ValueFormat } from './types.js';

export interface Scale {
  /** Value at the bottom of the plot. */
  min: number;
  /** Value at the top of the plot. */
  max: number;
  /** Tick values, ascending, all within [min, max]. */
  ticks: number[];
}

const MANTISSAS = [1, 2, 2.5, 5, 10];

/** Drops the float noise of repeated multiplication (0.30000000000000004 -> 0.3). */
function clean(v: number): number {
  return Number(v.toPrecision(12));
}

/** The smallest nice step >= raw; whole numbers only when `integer` (no 2.5 below 10, nothing below 1). */
export function niceStep(raw: number, integer: boolean): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of MANTISSAS) {
    const step = clean(m * p);
    if (integer && (step < 1 || !Number.isInteger(step))) continue;
    if (step >= raw * (1 - 1e-9)) return step;
  }
  return clean(10 * p);
}

/** How many ticks fit `rows` plot rows with at least one row between labels. */
export function maxTicksFor(rows: number): number {
  return Math.max(2, Math.floor((rows - 1) / 2) + 1);
}

/**
 * Chooses the y range and its ticks for data in [lo, hi] (NaN or ±Infinity when there is no data).
 * A fixed min or max is kept as given; the other end is rounded out to a whole step. The step is nice
 * in the unit the labels will use: 2.5 MiB steps for a memory chart, not 2.62144 MB ones.
 */
export function niceScale(
  lo: number,
  hi: number,
  maxTicks: number,
  format: ValueFormat,
  fixed: { min?: number; max?: number } = {},
): Scale {
  const dataLo = Number.isFinite(lo) ? lo : 0;
  const dataHi = Number.isFinite(hi) ? hi : 0;
  let min = fixed.min ?? Math.min(0, dataLo);
  let max = fixed.max ?? Math.max(dataHi, min + format.minSpan);
  if (!(max > min)) max = min + format.minSpan;
  const unit = format.base === 1 ? 1 : sizeDivisor(Math.max(Math.abs(min), Math.abs(max)), format.base);
  const step = clean(niceStep((max - min) / unit / Math.max(1, maxTicks - 1), format.integer && unit === 1) * unit);
  if (fixed.min === undefined) min = clean(Math.floor(min / step + 1e-9) * step);
  if (fixed.max === undefined) max = clean(Math.ceil(max / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let i = Math.ceil(min / step - 1e-9); i * step <= max + step * 1e-9; i++) ticks.push(clean(i * step));
  // a fixed end is labelled even off the step (it replaces a tick closer to it than half a step)
  if (fixed.min !== undefined && ticks[0] !== min) {
    if (ticks.length > 0 && ticks[0]! - min < step / 2) ticks[0] = min;
    else ticks.unshift(min);
  }
  if (fixed.max !== undefined && ticks[ticks.length - 1] !== max) {
    if (ticks.length > 1 && max - ticks[ticks.length - 1]! < step / 2) ticks[ticks.length - 1] = max;
    else ticks.push(max);
  }
  return { min, max, ticks };
}
