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
