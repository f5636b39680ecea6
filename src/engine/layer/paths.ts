/** Pure path rules for layer entries: normalisation and containment. */
import { posix } from 'node:path';

/**
 * The entry's path relative to the layer root, or null when it would leave
 * the root. Leading "/" and "./" are dropped; "" means the root itself.
 */
export function entryPath(name: string): string | null {
  let n = name.replace(/^(\.?\/)+/, '');
  if (n === '' || n === '.') return '';
  n = posix.normalize(n);
  if (n.endsWith('/')) n = n.slice(0, -1);
  if (n === '..' || n.startsWith('../') || n.startsWith('/')) return null;
  if (n === '.') return '';
  return n;
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

export type WhiteoutKind =
  { kind: 'none' } | { kind: 'opaque'; dir: string } | { kind: 'whiteout'; path: string } | { kind: 'meta' };

/** What an entry name means under the OCI whiteout rules. */
export function whiteoutOf(rel: string): WhiteoutKind {
  const base = posix.basename(rel);
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' };
  const dir = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir };
  if (base.startsWith('.wh..wh.')) return { kind: 'meta' };
  const target = base.slice(WHITEOUT_PREFIX.length);
  return { kind: 'whiteout', path: dir ? `${dir}/${target}` : target };
}
