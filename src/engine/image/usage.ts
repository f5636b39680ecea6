/** Disk usage of images (`system df`): sizes with shared layers counted once. */
import type { Store } from '../store/store.js';
import type { DiskUsageImage } from '../types.js';
import { createdNanos, unixSeconds } from './config.js';
import { familiar } from './list.js';
import type { ImageUsers } from './users.js';

export function imageDiskUsage(store: Store, users: ImageUsers): { images: DiskUsageImage[]; layersSize: number } {
  // newest first, as docker lists them
  const rows = store.images
    .images()
    .map((r) => ({ r, t: createdNanos(r.created) }))
    .sort((a, b) => (a.t === b.t ? (a.r.id < b.r.id ? -1 : 1) : a.t > b.t ? -1 : 1))
    .map(({ r }) => r);
  const layersOf = new Map(rows.map((r) => [r.id, store.images.layersOf(r.id)]));
  const refCount = new Map<string, number>();
  for (const ls of layersOf.values()) for (const l of ls) refCount.set(l.chainId, (refCount.get(l.chainId) ?? 0) + 1);
  const counts = users.containerCounts();
  const images = rows.map((r) => {
    const ls = layersOf.get(r.id)!;
    const shared = ls.filter((l) => refCount.get(l.chainId)! > 1).reduce((s, l) => s + l.size, 0);
    return {
      id: r.id,
      tags: store.images.tagsOf(r.id).map(familiar),
      created: unixSeconds(r.created),
      size: r.size,
      sharedSize: shared,
      uniqueSize: r.size - shared,
      containers: counts.get(r.id) ?? 0,
    };
  });
  const layersSize = store.images.layers().reduce((s, l) => s + l.size, 0);
  return { images, layersSize };
}
