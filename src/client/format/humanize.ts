/** docker/go-units formatting: sizes, durations, and docker's container status words. */

/** The double next to n toward zero. */
function towardZero(n: number): number {
  const f = new Float64Array([n]);
  new BigUint64Array(f.buffer)[0]! -= 1n;
  return f[0]!;
}

/** Whether the exact decimal digits, cut after `keep`, sit exactly halfway and the kept last digit is even. */
function evenTie(digits: string, keep: number): boolean {
  return digits[keep] === '5' && /^0*$/.test(digits.slice(keep + 1)) && Number(digits[keep - 1] ?? '0') % 2 === 0;
}

/**
 * Go rounds a value exactly halfway between two outputs to the even one
 * (1.5625 with %.4g is "1.562"); JavaScript's toPrecision and toFixed round
 * it away from zero. Where that differs, format the next double toward zero.
 */
function goRounded(
  n: number,
  fmt: (x: number) => string,
  digits: (x: number) => string,
  keep: (x: number) => number,
): string {
  if (n === 0 || !Number.isFinite(n)) return fmt(n);
  return evenTie(digits(n), keep(n)) ? fmt(towardZero(n)) : fmt(n);
}

/** Go's strconv.FormatFloat(n, 'f', decimals): "12.50". */
export function goFixed(n: number, decimals: number): string {
  const [int = '', frac = ''] = Math.abs(n).toFixed(100).split('.');
  return goRounded(
    n,
    (x) => x.toFixed(decimals),
    () => (int === '0' ? '' : int) + frac,
    () => (int === '0' ? 0 : int.length) + decimals,
  );
}

/** n.toPrecision(p) as Go rounds it. */
function goPrecision(n: number, p: number): string {
  const sig = (x: number) => Math.abs(x).toPrecision(100).split('e')[0]!.replace('.', '').replace(/^0+/, '');
  return goRounded(
    n,
    (x) => x.toPrecision(p),
    sig,
    () => p,
  );
}

/** Go's fmt %.<p>g. */
export function goG(n: number, precision: number): string {
  if (n === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  let s = goPrecision(n, precision);
  const e = s.indexOf('e');
  if (e >= 0 || exp < -4 || exp >= precision) {
    const [mant, ex] = Number(s)
      .toExponential(precision - 1)
      .split('e') as [string, string];
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const sign = ex.startsWith('-') ? '-' : '+';
    return `${m}e${sign}${ex.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scaled(size: number, base: number, units: string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]!];
}

/** The divisor humanSize (base 1000) or bytesSize (base 1024) picks for a size: 1, 1000, 1e6, ... or 1, 1024, 1024², ... */
export function sizeDivisor(bytes: number, base: 1000 | 1024): number {
  let d = 1;
  for (let i = 1; i < DECIMAL_UNITS.length && bytes >= d * base; i++) d *= base;
  return d;
}

/**
 * go-units HumanSizeWithPrecision: decimal units, "2.01MB". The docker CLI
 * uses precision 3 for image and container sizes and go-units' HumanSize
 * (precision 4, "1.982MB") for shared sizes, disk usage and reclaimed space.
 */
export function humanSize(bytes: number, precision = 3): string {
  const [n, u] = scaled(bytes, 1000, DECIMAL_UNITS);
  return goG(n, precision) + u;
}

/** go-units BytesSize: binary units, "64MiB", "1.953MiB". */
export function bytesSize(bytes: number): string {
  const [n, u] = scaled(bytes, 1024, BINARY_UNITS);
  return goG(n, 4) + u;
}

/** A transfer rate as docker prints sizes (decimal units) per second: "1.2MB/s". */
export function humanRate(bytesPerSecond: number): string {
  return `${humanSize(bytesPerSecond)}/s`;
}

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3600000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3600000) / 24 / 365)} years`;
}

export function timeAgo(then: Date, now: Date = new Date()): string {
  return `${humanDuration(Math.max(0, now.getTime() - then.getTime()))} ago`;
}

export interface StatusInput {
  status: string;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
}

const ZERO = '0001-01-01T00:00:00Z';

/** docker's State.String(): the STATUS column of ps. */
export function containerStatus(s: StatusInput, now: Date = new Date()): string {
  const since = (t: string) => humanDuration(Math.max(0, now.getTime() - Date.parse(t)));
  switch (s.status) {
    case 'running':
      return `Up ${since(s.startedAt)}`;
    case 'paused':
      return `Up ${since(s.startedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${s.exitCode}) ${since(s.finishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
  }
  if (!s.startedAt || s.startedAt === ZERO) return 'Created';
  if (!s.finishedAt || s.finishedAt === ZERO) return '';
  return `Exited (${s.exitCode}) ${since(s.finishedAt)} ago`;
}
