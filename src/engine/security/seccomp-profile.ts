/**
 * docker's seccomp profile format (what `--security-opt seccomp=FILE` reads and
 * what moby's default.json is written in), the OCI runtime spec's
 * `linux.seccomp` that a profile resolves to, and the check of a profile a user
 * gives, with a message that names the field at fault. Pure.
 */
import { invalidArg } from '../errors.js';

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

/** A condition on a rule: the container's capabilities, the host's architecture and kernel. */
export interface SeccompFilter {
  caps?: string[];
  arches?: string[];
  /** "<kernel>.<major>", e.g. "4.8" */
  minKernel?: string;
}

export interface SeccompSyscall {
  names?: string[];
  /** the old form of names (one syscall) */
  name?: string;
  action: string;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
  comment?: string;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] | null }[];
  flags?: string[];
  syscalls?: SeccompSyscall[];
}

/** linux.seccomp of an OCI bundle: what the monitor compiles. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  syscalls?: { names: string[]; action: string; errnoRet?: number; args?: SeccompArg[] }[];
}

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
];
const OPS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
];
const FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (where: string, what: string) => invalidArg(`invalid seccomp profile: ${where}: ${what}`);

function strings(v: unknown, where: string, re?: RegExp): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw bad(where, 'must be a list of strings');
  for (const s of v as string[]) if (re && !re.test(s)) throw bad(where, `"${s}" is not valid`);
  return v as string[];
}

function action(v: unknown, where: string): string {
  if (typeof v !== 'string' || !v) throw bad(where, 'is missing');
  if (v === 'SCMP_ACT_NOTIFY') throw bad(where, 'SCMP_ACT_NOTIFY needs a seccomp agent, which berth does not run');
  if (!SECCOMP_ACTIONS.includes(v)) throw bad(where, `unknown action "${v}"`);
  return v;
}

function errnoRet(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 4095)
    throw bad(where, 'must be an errno number (0 to 4095)');
  return v;
}

/** An argument value: JSON numbers are doubles, so only what they hold exactly (below 2^53) is accepted. */
function u64(v: unknown, where: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw bad(where, 'must be an unsigned integer (a number, not a string)');
  if (!Number.isSafeInteger(v)) throw bad(where, `${v} is above 2^53, which berth cannot carry exactly`);
  return v;
}

function filter(v: unknown, where: string): SeccompFilter | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw bad(where, 'must be an object');
  const caps = strings(v.caps, `${where}.caps`, /^CAP_[A-Z_]+$/);
  const arches = strings(v.arches, `${where}.arches`, /^[a-z0-9]+$/);
  let minKernel: string | undefined;
  if (v.minKernel !== undefined && v.minKernel !== '') {
    if (typeof v.minKernel !== 'string' || !/^\d{1,3}\.\d{1,3}$/.test(v.minKernel) || v.minKernel === '0.0')
      throw bad(
        `${where}.minKernel`,
        `invalid kernel version ${JSON.stringify(v.minKernel)}, expected "<kernel>.<major>"`,
      );
    minKernel = v.minKernel;
  }
  return { ...(caps ? { caps } : {}), ...(arches ? { arches } : {}), ...(minKernel ? { minKernel } : {}) };
}

function syscall(v: unknown, i: number): SeccompSyscall {
  const where = `syscalls[${i}]`;
  if (!isObj(v)) throw bad(where, 'must be an object');
  if (v.name !== undefined && v.name !== '' && Array.isArray(v.names) && v.names.length)
    throw invalidArg("both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'");
  const names =
    typeof v.name === 'string' && v.name ? [v.name] : (strings(v.names, `${where}.names`, /^[a-z0-9_]+$/) ?? []);
  if (typeof v.name === 'string' && v.name && !/^[a-z0-9_]+$/.test(v.name)) throw bad(`${where}.name`, 'is not valid');
  if (!names.length) throw bad(`${where}.names`, 'is empty');
  const args = v.args === undefined || v.args === null ? [] : v.args;
  if (!Array.isArray(args)) throw bad(`${where}.args`, 'must be a list');
  if (args.length > 6) throw bad(`${where}.args`, 'more than 6 conditions');
  const out: SeccompSyscall = { names, action: action(v.action, `${where}.action`) };
  const e = errnoRet(v.errnoRet, `${where}.errnoRet`);
  if (e !== undefined) out.errnoRet = e;
  if (args.length)
    out.args = args.map((a: unknown, j: number) => {
      const w = `${where}.args[${j}]`;
      if (!isObj(a)) throw bad(w, 'must be an object');
      if (typeof a.index !== 'number' || !Number.isInteger(a.index) || a.index < 0 || a.index > 5)
        throw bad(`${w}.index`, 'must be 0 to 5');
      if (typeof a.op !== 'string' || !OPS.includes(a.op))
        throw bad(`${w}.op`, `unknown comparison ${JSON.stringify(a.op)}`);
      const arg: SeccompArg = { index: a.index, value: u64(a.value, `${w}.value`) ?? 0, op: a.op };
      const two = u64(a.valueTwo, `${w}.valueTwo`);
      if (two !== undefined) arg.valueTwo = two;
      return arg;
    });
  const inc = filter(v.includes, `${where}.includes`);
  const exc = filter(v.excludes, `${where}.excludes`);
  if (inc) out.includes = inc;
  if (exc) out.excludes = exc;
  if (typeof v.comment === 'string' && v.comment) out.comment = v.comment;
  return out;
}

/** A profile as docker reads it (`seccomp=<JSON>` of HostConfig.SecurityOpt), checked field by field. */
export function parseSeccompProfile(text: string): SeccompProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw invalidArg(`Decoding seccomp profile failed: ${(e as Error).message}`);
  }
  if (!isObj(raw)) throw invalidArg('Decoding seccomp profile failed: the profile must be a JSON object');
  if (raw.listenerPath) throw bad('listenerPath', 'seccomp agents are not supported');
  const archs = strings(raw.architectures, 'architectures', /^SCMP_ARCH_[A-Z0-9_]+$/);
  if (archs?.length && Array.isArray(raw.archMap) && raw.archMap.length)
    throw invalidArg(
      "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'",
    );
  const calls = raw.syscalls === undefined || raw.syscalls === null ? [] : raw.syscalls;
  if (!Array.isArray(calls)) throw bad('syscalls', 'must be a list');
  const profile: SeccompProfile = {
    defaultAction:
      raw.defaultAction === undefined || raw.defaultAction === '' ? '' : action(raw.defaultAction, 'defaultAction'),
    syscalls: calls.map((c, i) => syscall(c, i)),
  };
  if (!profile.defaultAction && profile.syscalls!.length) throw bad('defaultAction', 'is missing');
  const de = errnoRet(raw.defaultErrnoRet, 'defaultErrnoRet');
  if (de !== undefined) profile.defaultErrnoRet = de;
  if (archs) profile.architectures = archs;
  if (raw.archMap !== undefined && raw.archMap !== null) {
    if (!Array.isArray(raw.archMap)) throw bad('archMap', 'must be a list');
    profile.archMap = raw.archMap.map((m: unknown, i: number) => {
      if (!isObj(m) || typeof m.architecture !== 'string') throw bad(`archMap[${i}]`, 'needs an architecture');
      return {
        architecture: m.architecture,
        subArchitectures: strings(m.subArchitectures, `archMap[${i}].subArchitectures`) ?? null,
      };
    });
  }
  const flags = strings(raw.flags, 'flags');
  for (const f of flags ?? []) if (!FLAGS.includes(f)) throw bad('flags', `${f} is not supported`);
  if (flags?.length) profile.flags = flags;
  return profile;
}
