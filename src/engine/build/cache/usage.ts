/**
 * The build cache as `system df` and `builder prune` see it: one entry per
 * step result (docker's "regular" records: the layer it made, shared when an
 * image has that layer too) and per RUN --mount=type=cache directory
 * ("exec.cachemount"). Prune removes the records, then every layer (row,
 * tree, blob) that nothing else needs any more; without `all` it keeps the
 * records whose layers an image uses and the cache mounts.
 */
import { readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { invalidArg } from '../../errors.js';
import { immediate } from '../../store/db.js';
import { makeScratch, removeTree } from '../../store/scratch.js';
import type { Store } from '../../store/store.js';
import { untilNanos } from '../../util/filters.js';
import { BuildCacheDb, cacheMountsDir } from './cache-db.js';

export interface BuildCacheItem {
  /** docker shows 12 characters of it. */
  id: string;
  type: 'regular' | 'exec.cachemount';
  size: number;
  /** ms since the epoch. */
  createdAt: number;
  lastUsedAt: number;
  usageCount: number;
  inUse: boolean;
  shared: boolean;
  description: string;
}

function dirSize(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      try {
        const st = lstatSync(p);
        if (st.isDirectory()) walk(p);
        else total += st.size;
      } catch {
        /* vanished */
      }
    }
  };
  walk(dir);
  return total;
}

export function buildCacheUsage(store: Store): BuildCacheItem[] {
  const db = new BuildCacheDb(store.db);
  const out: BuildCacheItem[] = db.all().map((r) => ({
    id: r.key.slice(7),
    type: 'regular',
    size: store.images.layer(r.chainId)?.size ?? 0,
    createdAt: Date.parse(r.createdAt) || r.lastUsed,
    lastUsedAt: r.lastUsed,
    usageCount: r.usageCount,
    inUse: false,
    shared: store.images.layerUsedByImage(r.chainId),
    description: r.description,
  }));
  for (const m of db.mounts()) {
    out.push({
      id: m.dir,
      type: 'exec.cachemount',
      size: dirSize(join(cacheMountsDir(store), m.dir)),
      createdAt: m.created,
      lastUsedAt: m.lastUsed,
      usageCount: m.usageCount,
      inUse: false,
      shared: false,
      description: `mount / from exec ${m.id}`,
    });
  }
  return out;
}

export const PRUNE_FILTERS = ['until', 'unused-for', 'type', 'id'];

export function pruneBuildCache(
  store: Store,
  opts: { all?: boolean; filters?: Map<string, string[]> } = {},
): { deleted: string[]; spaceReclaimed: number } {
  const filters = opts.filters ?? new Map<string, string[]>();
  for (const k of filters.keys()) if (!PRUNE_FILTERS.includes(k)) throw invalidArg(`filter '${k}' is invalid`);
  const until = [...(filters.get('until') ?? []), ...(filters.get('unused-for') ?? [])].map((u) => untilNanos(u));
  const types = filters.get('type');
  const ids = filters.get('id');
  const items = buildCacheUsage(store).filter(
    (i) =>
      (opts.all || (i.type === 'regular' && !i.shared)) &&
      (!types || types.includes(i.type)) &&
      (!ids || ids.some((x) => i.id.startsWith(x))) &&
      until.every((u) => BigInt(i.lastUsedAt) * 1_000_000n <= u),
  );
  const trash = makeScratch(store.layout.tmpDir, 'trash');
  const db = new BuildCacheDb(store.db);
  let freed = 0;
  const deleted: string[] = [];
  try {
    immediate(store.db, () => {
      const gone = new Set<string>();
      if (opts.all) db.clearSums();
      for (const i of items) {
        if (i.type === 'exec.cachemount') {
          const m = db.mounts().find((x) => x.dir === i.id);
          if (m) db.deleteMount(m.id);
          removeTree(join(cacheMountsDir(store), i.id));
          freed += i.size;
          deleted.push(i.id);
          continue;
        }
        const rec = db.get(`sha256:${i.id}`);
        if (!rec) continue;
        db.delete(rec.key);
        deleted.push(i.id);
        // the record's own layer and those below it, top first
        for (let c: string | null = rec.chainId; c; c = store.images.layer(c)?.parent ?? null) gone.add(c);
      }
      const users = store.db.prepare('SELECT 1 FROM container_layers WHERE chain_id = ? LIMIT 1');
      let removed = true;
      while (removed) {
        removed = false;
        for (const c of gone) {
          if (
            store.images.layerUsedByImage(c) ||
            db.usesLayer(c) ||
            users.get(c) !== undefined ||
            store.images.layerHasChildren(c)
          )
            continue;
          const layer = store.images.layer(c);
          gone.delete(c);
          if (!layer) continue;
          store.images.deleteLayer(c);
          store.trashLayerDirs(trash, [c]);
          if (!store.images.layers().some((l) => l.diffId === layer.diffId)) store.blobs.trash(layer.diffId, trash);
          freed += layer.size;
          removed = true;
        }
      }
    });
  } finally {
    removeTree(trash);
  }
  return { deleted, spaceReclaimed: freed };
}
