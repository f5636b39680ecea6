/**
 * Which seccomp filter a container gets, as the engine decides it and the
 * bundle carries it (linux.seccomp; the monitor compiles it to BPF): docker's
 * default profile, a profile from `--security-opt seccomp=FILE`, or none
 * (`seccomp=unconfined`, `--privileged`). A profile resolves per container as
 * moby does it: rules whose `includes` do not hold or whose `excludes` do are
 * dropped (capabilities of the bounding set, the host's architecture, its
 * kernel version), and `archMap` picks the host's architecture and its
 * sub-architectures. Pure: the host's facts come in as arguments.
 */
import { DEFAULT_SECCOMP_PROFILE } from './seccomp-default.js';
import { parseSeccompProfile, type OciSeccomp, type SeccompFilter, type SeccompProfile } from './seccomp-profile.js';
import type { SecurityOptions } from './security-opt.js';

export interface SeccompHost {
  /** process.arch */
  arch: string;
  /** os.release(), e.g. "6.1.0-18-amd64" */
  kernel: string;
}

/** Node's process.arch -> the architecture names of a profile's `arches` (Go's, as moby maps them). */
const NATIVE: Record<string, string> = {
  x64: 'amd64',
  ia32: 'x86',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips64el: 'mipsel64',
};
const TO_SECCOMP: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  x86: 'SCMP_ARCH_X86',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
  loong64: 'SCMP_ARCH_LOONGARCH64',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
};

/** Is the host's kernel at least "<kernel>.<major>"? (As moby compares: the first two numbers only.) */
export function kernelAtLeast(release: string, min: string): boolean {
  const [a = 0, b = 0] = release.split(/[^\d]/).filter(Boolean).map(Number);
  const [x = 0, y = 0] = min.split('.').map(Number);
  return a > x || (a === x && b >= y);
}

/** Does the filter hold for this container? (`includes`: all of it; `excludes`: any of it.) */
function holds(f: SeccompFilter, all: boolean, caps: string[], arch: string, kernel: string): boolean {
  const tests: boolean[] = [];
  if (f.arches?.length) tests.push(f.arches.includes(arch));
  if (f.caps?.length) tests.push(all ? f.caps.every((c) => caps.includes(c)) : f.caps.some((c) => caps.includes(c)));
  if (f.minKernel) tests.push(kernelAtLeast(kernel, f.minKernel));
  return all ? tests.every(Boolean) : tests.some(Boolean);
}

/** A profile for one container: its bounding capabilities, on this host. Undefined: no filter. */
export function resolveSeccomp(p: SeccompProfile, caps: string[], host: SeccompHost): OciSeccomp | undefined {
  const calls = p.syscalls ?? [];
  // moby: no default action and no rules means no filter at all
  if (!p.defaultAction && !calls.length) return undefined;
  const arch = NATIVE[host.arch] ?? host.arch;
  let architectures = p.architectures ?? [];
  const mine = TO_SECCOMP[arch];
  const entry = p.archMap?.find((m) => m.architecture === mine);
  if (entry) architectures = [entry.architecture, ...(entry.subArchitectures ?? [])];
  const syscalls: NonNullable<OciSeccomp['syscalls']> = [];
  for (const c of calls) {
    if (c.excludes && holds(c.excludes, false, caps, arch, host.kernel)) continue;
    if (c.includes && !holds(c.includes, true, caps, arch, host.kernel)) continue;
    syscalls.push({
      names: c.names ?? (c.name ? [c.name] : []),
      action: c.action,
      ...(c.errnoRet !== undefined ? { errnoRet: c.errnoRet } : {}),
      ...(c.args?.length ? { args: c.args } : {}),
    });
  }
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined ? { defaultErrnoRet: p.defaultErrnoRet } : {}),
    ...(architectures.length ? { architectures } : {}),
    ...(p.flags?.length ? { flags: p.flags } : {}),
    syscalls,
  };
}

/**
 * The container's linux.seccomp, as moby's WithSeccomp decides: `unconfined` none;
 * `--privileged` none unless a profile was given; else the given profile or docker's default.
 */
export function containerSeccomp(
  opts: SecurityOptions,
  privileged: boolean,
  caps: string[],
  host: SeccompHost,
): OciSeccomp | undefined {
  if (opts.seccomp === 'unconfined') return undefined;
  if (opts.seccomp === 'default') return privileged ? undefined : resolveSeccomp(DEFAULT_SECCOMP_PROFILE, caps, host);
  return resolveSeccomp(parseSeccompProfile(opts.seccomp.profile), caps, host);
}
