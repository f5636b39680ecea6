/**
 * `--platform os[/arch[/variant]]` as containerd's platforms.Parse reads it
 * (an architecture alone means linux), normalised the same way
 * (x86_64 -> amd64, aarch64 -> arm64, armhf -> arm/v7, ...), and checked
 * as moby's CheckOS does: images here are Linux images.
 */
import { BerthError, invalidArg } from '../errors.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const OSES = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'wasip1',
  'windows',
  'zos',
]);
const ARCHES = new Set([
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'arm64',
  'arm64be',
  'armbe',
  'loong64',
  'mips',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'mipsle',
  'ppc',
  'ppc64',
  'ppc64le',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
]);

function normalizeArch(arch: string, variant: string): [string, string] {
  switch (arch) {
    case 'i386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', variant === 'v1' ? '' : variant];
    case 'aarch64':
    case 'arm64':
      return ['arm64', variant === '8' || variant === 'v8' ? '' : variant];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      return ['arm', variant === '' || variant === '7' ? 'v7' : /^[5-8]$/.test(variant) ? `v${variant}` : variant];
    default:
      return [arch, variant];
  }
}

export function parsePlatform(spec: string, hostArch: string): Platform {
  const unknown = () =>
    invalidArg(`${JSON.stringify(spec)}: unknown operating system or architecture: invalid argument`);
  const parts = spec.toLowerCase().split('/');
  if (parts.length > 3 || parts.some((p) => !/^[a-z0-9_-]+$/.test(p))) throw unknown();
  let os: string;
  let arch: string;
  let variant = '';
  if (parts.length === 1) {
    const one = normalizeArch(parts[0]!, '')[0];
    if (OSES.has(parts[0]!) || parts[0] === 'macos')
      [os, arch] = [parts[0] === 'macos' ? 'darwin' : parts[0]!, hostArch];
    else if (ARCHES.has(one)) [os, arch] = ['linux', parts[0]!];
    else throw unknown();
  } else {
    [os, arch, variant = ''] = parts as [string, string, string?];
    if (os === 'macos') os = 'darwin';
  }
  [arch, variant] = normalizeArch(arch, variant);
  if (!OSES.has(os) || !ARCHES.has(arch)) throw unknown();
  if (os !== 'linux') throw new BerthError('NOT_SUPPORTED', 'operating system is not supported');
  return { os, architecture: arch, ...(variant ? { variant } : {}) };
}
