/**
 * Pure parsers for the files container metrics come from: cgroup v1 and v2
 * controller files, /proc/stat, /proc/meminfo and /proc/<pid>/net/dev. Each
 * takes the file's text and returns numbers; missing fields are 0.
 */

/** "key value" lines (memory.stat, cpu.stat, memory.events, oom_control). */
export function keyValues(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) m.set(k, Number(v));
  }
  return m;
}

/**
 * One field of a "key value" file without splitting the rest (memory.stat has
 * some forty lines and is read every second for every container); 0 when absent.
 */
export function field(text: string, key: string): number {
  let start: number;
  if (text.startsWith(key + ' ')) start = key.length + 1;
  else {
    const i = text.indexOf('\n' + key + ' ');
    if (i < 0) return 0;
    start = i + key.length + 2;
  }
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  const n = Number(text.slice(start, end));
  return Number.isFinite(n) ? n : 0;
}

/** A single number, or null for "max" / unset. */
export function single(text: string): number | null {
  const t = text.trim();
  if (t === '' || t === 'max') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** v1 memory.limit_in_bytes says "no limit" with a page-rounded 2^63. */
export function v1Limit(text: string): number | null {
  const n = single(text);
  return n === null || n >= 2 ** 62 ? null : n;
}

/** v1 blkio.*io_service_bytes*: sums of Read and Write over devices ("MAJ:MIN Op N" lines, then "Total N"). */
export function blkioV1(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  // one scan, no line arrays: the file has five lines per block device and is read for every container
  const re = /^[ \t]*\S+[ \t]+(Read|Write)[ \t]+(\d+)[ \t]*$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] === 'Read') read += Number(m[2]);
    else write += Number(m[2]);
  }
  return { read, write };
}

/** v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N ..." per device. */
export function ioStatV2(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    for (const kv of line.trim().split(/\s+/).slice(1)) {
      const [k, v] = kv.split('=');
      if (k === 'rbytes') read += Number(v);
      else if (k === 'wbytes') write += Number(v);
    }
  }
  return { read, write };
}

/**
 * /proc/stat: system CPU time in nanoseconds as docker computes it (the first
 * seven fields of the "cpu" line, in clock ticks of 100 Hz) and the number of
 * online CPUs (the "cpuN" lines).
 */
export function procStat(text: string, clockTicks = 100): { systemNs: number; onlineCpus: number } {
  let systemNs = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const f = line.trim().split(/\s+/).slice(1, 8).map(Number);
      systemNs = (f.reduce((a, b) => a + b, 0) * 1e9) / clockTicks;
    } else if (/^cpu\d+ /.test(line)) onlineCpus++;
  }
  return { systemNs, onlineCpus };
}

/** /proc/meminfo MemTotal in bytes (docker caps a container's memory limit at it). */
export function memTotal(meminfo: string): number {
  const m = /^MemTotal:\s+(\d+) kB$/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : 0;
}

export interface NetTotals {
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

/** /proc/<pid>/net/dev: totals over the interfaces, loopback excluded (as docker counts). */
export function netDev(text: string): NetTotals {
  const out = { rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 };
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo') continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    out.rxBytes += f[0] ?? 0;
    out.rxPackets += f[1] ?? 0;
    out.txBytes += f[8] ?? 0;
    out.txPackets += f[9] ?? 0;
  }
  return out;
}

/** docker CLI's CPU percentage: Δcontainer / Δsystem × online CPUs × 100. */
export function cpuPercent(
  prev: { cpu: number; system: number } | null,
  cur: { cpu: number; system: number },
  onlineCpus: number,
): number {
  if (!prev) return 0;
  const cpuDelta = cur.cpu - prev.cpu;
  const sysDelta = cur.system - prev.system;
  if (cpuDelta <= 0 || sysDelta <= 0) return 0;
  return (cpuDelta / sysDelta) * onlineCpus * 100;
}

/** docker CLI's memory figure: usage without the inactive page cache. */
export function memoryUsed(usage: number, inactiveFile: number): number {
  return inactiveFile < usage ? usage - inactiveFile : usage;
}
