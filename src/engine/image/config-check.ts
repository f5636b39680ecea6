/**
 * What an image config may hold before it enters the store, whichever way it
 * comes in (load, import, commit, and pull through the same check). Pure.
 *
 * A key of `config.Volumes` is a path inside the container and nothing else
 * (moby makes an anonymous volume at each, at `filepath.Clean(key)`). It is
 * never a mount spec: an image cannot name a host path or another volume.
 */
import { posix } from 'node:path';

/** Why a VOLUME key is refused, or null: absolute, not "/", no ":" and no NUL. */
export function volumeKeyError(key: string): string | null {
  if (!key.trim()) return 'VOLUME specified can not be an empty string';
  if (key.includes('\0')) return `invalid VOLUME "${key.replace(/\0/g, '\\0')}": it contains a NUL byte`;
  if (key.includes(':'))
    return `invalid VOLUME "${key}": a volume is a path inside the container and may not contain ":"`;
  if (!key.startsWith('/')) return `invalid VOLUME "${key}": the path must be absolute`;
  if (posix.normalize(key) === '/') return `invalid VOLUME "${key}": the destination can't be '/'`;
  return null;
}

/** Why an image config is refused (its `config` section), or null. */
export function imageConfigError(config: unknown): string | null {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return 'the image config is not a JSON object';
  const c = (config as { config?: unknown }).config;
  if (c === undefined || c === null) return null;
  if (typeof c !== 'object' || Array.isArray(c)) return 'the image config\'s "config" is not an object';
  const vols = (c as { Volumes?: unknown }).Volumes;
  if (vols === undefined || vols === null) return null;
  if (typeof vols !== 'object' || Array.isArray(vols)) return "the image config's Volumes is not an object";
  for (const key of Object.keys(vols)) {
    const why = volumeKeyError(key);
    if (why) return why;
  }
  return null;
}
