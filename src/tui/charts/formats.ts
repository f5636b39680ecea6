/** Value formats for the stats charts, written the way `docker stats` writes them. */
import { bytesSize, goG, humanRate } from '../../client/format/humanize.js';
import type { ValueFormat } from './types.js';

/** CPU %: docker stats prints two decimals ("12.34%"). */
export const percentFormat: ValueFormat = {
  base: 1,
  integer: false,
  minSpan: 1,
  tick: (v) => `${goG(v, 3)}%`,
  value: (v) => `${v.toFixed(2)}%`,
};

/** Memory: binary units, as docker's MEM USAGE / LIMIT column ("3.215MiB"). */
export const bytesFormat: ValueFormat = {
  base: 1024,
  integer: true,
  minSpan: 1024,
  tick: bytesSize,
  value: bytesSize,
};

/** Network and block I/O rates: decimal units, as docker's NET I/O and BLOCK I/O columns, per second. */
export const rateFormat: ValueFormat = {
  base: 1000,
  integer: true,
  minSpan: 1000,
  tick: humanRate,
  value: humanRate,
};

/** Counts (PIDs). */
export const countFormat: ValueFormat = {
  base: 1,
  integer: true,
  minSpan: 1,
  tick: (v) => goG(v, 4),
  value: (v) => String(Math.round(v)),
};

/** The left end of the time axis: "60s", "5m", "1h". */
export function windowLabel(windowMs: number): string {
  const s = Math.round(windowMs / 1000);
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600}h`;
  if (s >= 120 && s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}
