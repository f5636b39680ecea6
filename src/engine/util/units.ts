/** Sizes and CPU counts as docker parses them (docker/go-units, docker/cli opts). */
import { invalidArg } from '../errors.js';

const SIZE_RE = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const POW: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

function parseSize(s: string, base: number): number {
  const m = SIZE_RE.exec(s);
  if (!m) throw invalidArg(`invalid size: '${s}'`);
  const n = Number.parseFloat(m[1]!);
  if (!Number.isFinite(n)) throw invalidArg(`invalid size: '${s}'`);
  const unit = m[2]?.toLowerCase();
  return Math.trunc(n * (unit ? base ** POW[unit]! : 1));
}

/** go-units RAMInBytes: binary multipliers, "64m" = 64 MiB. */
export function ramInBytes(s: string): number {
  return parseSize(s, 1024);
}

/** go-units FromHumanSize: decimal multipliers, "10MB" = 10,000,000. */
export function fromHumanSize(s: string): number {
  return parseSize(s, 1000);
}

/** docker's --cpus: a decimal number of CPUs to nano CPUs. */
export function parseCpus(s: string): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s.trim());
  if (!m) throw invalidArg(`invalid argument "${s}" for "--cpus" flag: failed to parse ${s} as a rational number`);
  const frac = m[2] ?? '';
  if (frac.replace(/0+$/, '').length > 9)
    throw invalidArg(`invalid argument "${s}" for "--cpus" flag: value is too precise`);
  return Number(m[1]) * 1e9 + Number(frac.padEnd(9, '0').slice(0, 9));
}
