/** Times as docker writes and reads them (Go's RFC3339Nano, --since/--until values). */
import { invalidArg } from '../errors.js';

const p2 = (n: number) => String(n).padStart(2, '0');

/** Go's time.RFC3339Nano in UTC: fraction trimmed of trailing zeros, none when zero. */
export function formatRFC3339Nano(d: Date, extraNanos = 0): string {
  const base =
    `${d.getUTCFullYear().toString().padStart(4, '0')}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}` +
    `T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  const nanos = d.getUTCMilliseconds() * 1_000_000 + Math.trunc(extraNanos);
  const frac = nanos ? '.' + String(nanos).padStart(9, '0').replace(/0+$/, '') : '';
  return `${base}${frac}Z`;
}

/** The current time as RFC3339Nano with sub-millisecond precision. */
export function nowRFC3339Nano(): string {
  const ns = process.hrtime.bigint();
  const d = new Date();
  return formatRFC3339Nano(d, Number(ns % 1_000_000n));
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds (micro as µ or μ; escaped: the command line's bundle is ASCII). */
export function parseGoDuration(s: string): number {
  const m = /^([-+]?)((?:\d*\.?\d+(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+|0)$/.exec(s);
  if (!m) throw invalidArg(`time: invalid duration "${s}"`);
  if (m[2] === '0') return 0;
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d*\.?\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g))
    total += Number(part[1]) * UNIT_NS[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

/**
 * docker's GetTimestamp for --since/--until/until=: a Go duration (before
 * `now`), an RFC3339 date or date-time (local time when no zone is given),
 * or Unix seconds with an optional fraction. Returns nanoseconds since the epoch.
 */
export function parseTimestampFilter(value: string, now: Date = new Date()): bigint {
  if (value !== '0') {
    try {
      const d = parseGoDuration(value);
      return BigInt(now.getTime()) * 1_000_000n - BigInt(Math.round(d));
    } catch {
      /* not a duration */
    }
  }
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (unix) return BigInt(unix[1]!) * 1_000_000_000n + BigInt((unix[2] ?? '').padEnd(9, '0') || '0');
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/.exec(
      value,
    );
  if (!m) {
    if (value.includes('-')) throw invalidArg(`parsing time "${value}": cannot parse as a timestamp`);
    throw invalidArg(`failed to parse value as time or duration: "${value}"`);
  }
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${sec}`;
  const ms = zone ? Date.parse(`${iso}${zone === 'z' ? 'Z' : zone}`) : new Date(`${iso}`).getTime();
  if (Number.isNaN(ms)) throw invalidArg(`parsing time "${value}": out of range`);
  return BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, '0') || '0');
}
