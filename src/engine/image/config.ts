/** Reading image configs from the blob store, with a small cache (configs never change). */
import type { Store } from '../store/store.js';
import type { ImageConfig } from './types.js';

const cache = new Map<string, ImageConfig>();
const MAX = 512;

export function imageConfig(store: Store, id: string): ImageConfig {
  const key = `${store.layout.root}\0${id}`;
  let c = cache.get(key);
  if (!c) {
    c = store.blobs.readJson<ImageConfig>(id);
    if (cache.size >= MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, c);
  }
  return c;
}

/** Unix seconds of an RFC3339 time, 0 when absent or invalid. */
export function unixSeconds(rfc3339: string | undefined): number {
  if (!rfc3339) return 0;
  const ms = Date.parse(rfc3339);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Nanoseconds since the epoch of an RFC3339 time (docker compares image times at full precision); 0 when absent or invalid. */
export function createdNanos(rfc3339: string | undefined): bigint {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(rfc3339 ?? '');
  if (!m) return BigInt(unixSeconds(rfc3339)) * 1_000_000_000n;
  const ms = Date.parse(`${m[1]}${m[3]!.toUpperCase()}`);
  if (Number.isNaN(ms)) return 0n;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}
