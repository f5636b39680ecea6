/**
 * Choosing a manifest from a list or an index as containerd's platform
 * matcher does: the wanted platform first, then what it can also run (an
 * arm64 host runs arm/v8 down to arm/v5, arm/v7 runs v6 and v5, amd64/v3 runs
 * v2 and v1), ties going to the first entry in the list.
 */
import { arch as hostArch } from 'node:os';
import { BerthError } from '../errors.js';
import type { Platform } from '../image/platform.js';
import type { Descriptor } from './manifest.js';

function normalize(os: string, arch: string, variant = ''): Platform {
  os = os.toLowerCase();
  arch = arch.toLowerCase();
  variant = variant.toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
      arch = 'amd64';
      break;
    case 'aarch64':
      arch = 'arm64';
      break;
    case 'armhf':
      arch = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      variant = 'v6';
      break;
  }
  if (arch === 'amd64' && variant === 'v1') variant = '';
  if (arch === 'arm64' && (variant === '8' || variant === 'v8')) variant = '';
  if (arch === 'arm') {
    if (variant === '') variant = 'v7';
    else if (/^[5-8]$/.test(variant)) variant = `v${variant}`;
  }
  return { os, architecture: arch, ...(variant ? { variant } : {}) };
}

/** The host's platform as Node sees it. */
export function hostPlatform(): Platform {
  const a = hostArch();
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le', mipsel: 'mipsle' };
  if (a === 'arm') {
    const v = (process.config.variables as { arm_version?: string }).arm_version ?? '7';
    return normalize('linux', 'arm', v);
  }
  return normalize('linux', map[a] ?? a);
}

export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** The platforms `want` can run, best first (containerd's platforms.Only). */
function compatible(want: Platform): Platform[] {
  const p = normalize(want.os, want.architecture, want.variant);
  const out: Platform[] = [p];
  const arm = (from: number) => {
    for (let v = from; v >= 5; v--) out.push({ os: p.os, architecture: 'arm', variant: `v${v}` });
  };
  if (p.architecture === 'arm64' && !p.variant) arm(8);
  if (p.architecture === 'arm' && /^v[5-8]$/.test(p.variant ?? '')) {
    out.length = 0;
    arm(Number(p.variant!.slice(1)));
  }
  if (p.architecture === 'amd64' && /^v[2-4]$/.test(p.variant ?? '')) {
    for (let v = Number(p.variant!.slice(1)) - 1; v >= 2; v--)
      out.push({ os: p.os, architecture: 'amd64', variant: `v${v}` });
    out.push({ os: p.os, architecture: 'amd64' });
  }
  return out;
}

const same = (a: Platform, b: Platform) =>
  a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');

/** The best entry of a list for `want`, or a NOT_FOUND error in docker's words. */
export function selectManifest(entries: Descriptor[], want: Platform): Descriptor {
  const ranks = compatible(want);
  let best: Descriptor | null = null;
  let bestRank = Infinity;
  for (const d of entries) {
    if (!d.platform) continue;
    const p = normalize(d.platform.os, d.platform.architecture, d.platform.variant);
    const rank = ranks.findIndex((r) => same(r, p));
    if (rank >= 0 && rank < bestRank) {
      best = d;
      bestRank = rank;
    }
  }
  if (!best) {
    throw new BerthError('NOT_FOUND', `no matching manifest for ${platformString(want)} in the manifest list entries`);
  }
  return best;
}

/** Whether an image config's platform is one `want` can run (docker's check for single-platform images). */
export function configMatches(cfg: { os?: string; architecture?: string; variant?: string }, want: Platform): boolean {
  const p = normalize(cfg.os ?? 'linux', cfg.architecture ?? '', cfg.variant);
  return compatible(want).some((r) => same(r, p));
}
