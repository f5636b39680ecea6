/**
 * Pure parsing of docker's json-file log lines:
 *   {"log":"text\n","stream":"stdout","time":"2026-11-23T10:00:00.123456789Z"}
 * and ordering of rotated files (ctr.log.N ... ctr.log.1, ctr.log).
 */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano as written. */
  time: string;
  /** Nanoseconds since the epoch (bigint keeps the precision). */
  timeNs: bigint;
  /** The text, with its trailing newline unless this is a partial line. */
  text: string;
}

/** Nanoseconds since the epoch of an RFC3339(Nano) UTC or offset time; null if malformed. */
export function rfc3339ToNs(s: string): bigint | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return null;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return BigInt(ms) * 1_000_000n + BigInt(frac);
}

export function parseLogLine(line: string): LogEntry | null {
  if (!line) return null;
  let o: { log?: unknown; stream?: unknown; time?: unknown };
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof o.log !== 'string' || typeof o.time !== 'string') return null;
  const timeNs = rfc3339ToNs(o.time);
  if (timeNs === null) return null;
  return { stream: o.stream === 'stderr' ? 'stderr' : 'stdout', time: o.time, timeNs, text: o.log };
}

/** Log files of a container, oldest first, given the names present in its directory. */
export function orderLogFiles(base: string, names: string[]): string[] {
  const prefix = base + '.';
  const rotated = names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => ({ n, i: Number(n.slice(prefix.length)) }))
    .sort((a, b) => b.i - a.i)
    .map((x) => x.n);
  return [...rotated, ...(names.includes(base) ? [base] : [])];
}
