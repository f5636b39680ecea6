/**
 * The built image: its config as BuildKit's exporter writes it (top-level
 * keys sorted, as moby re-marshals them; the config fields in docker's
 * order; history times filled the way normalizeLayersAndHistory fills them:
 * a layer's entry gets the time its layer was made, and metadata entries
 * the time of the next new layer, else the previous one), then the image
 * row and its tags in one transaction, with docker's `tag` events. A
 * rebuild from the cache reuses the layers' times, so its ID is the same.
 */
import { BerthError } from '../../errors.js';
import { chainIds } from '../../layer/chain.js';
import type { HistoryEntry } from '../../image/types.js';
import { sha256 } from '../../store/blobs.js';
import { immediate } from '../../store/db.js';
import type { Store } from '../../store/store.js';
import { normalizeConfig } from '../plan/state.js';
import type { ImageDraft } from '../plan/types.js';

export interface BuiltLayer {
  diffId: string;
  /** When the layer was made ('' for a base image's layers, whose history has its time). */
  createdAt: string;
}

/** normalizeLayersAndHistory: created times for every entry. */
export function fillHistory(history: HistoryEntry[], layers: BuiltLayer[]): HistoryEntry[] {
  let out = history.map((h) => ({ ...h }));
  const historyLayers = out.filter((h) => !h.empty_layer).length;
  if (layers.length > historyLayers) {
    const prefix = Array.from({ length: layers.length - historyLayers }, () => ({
      comment: 'buildkit.exporter.image.v0',
    }));
    out = [...prefix, ...out];
  }
  let li = 0;
  for (const h of out) {
    if (h.empty_layer) continue;
    if (!h.created && layers[li]?.createdAt) h.created = layers[li]!.createdAt;
    li++;
  }
  let created: string | undefined;
  let gap = false;
  for (const h of out) {
    if (h.created) {
      created = h.created;
      if (gap) break;
    } else gap = true;
  }
  gap = false;
  for (const h of out) {
    if (h.created) {
      if (gap) created = h.created;
    } else {
      gap = true;
      if (created) h.created = created;
    }
  }
  return out.map((h) => ({
    ...(h.created ? { created: h.created } : {}),
    ...(h.created_by ? { created_by: h.created_by } : {}),
    ...(h.author ? { author: h.author } : {}),
    ...(h.comment ? { comment: h.comment } : {}),
    ...(h.empty_layer ? { empty_layer: true } : {}),
  }));
}

/** The config JSON bytes of the image a stage made. */
export function imageConfigBytes(draft: ImageDraft, layers: BuiltLayer[]): Buffer {
  const history = fillHistory(draft.history, layers);
  const created = history.length ? history[history.length - 1]!.created : undefined;
  const config: Record<string, unknown> = {
    architecture: draft.architecture,
    ...(draft.author ? { author: draft.author } : {}),
    config: normalizeConfig(draft.config),
    ...(created ? { created } : {}),
    history,
    os: draft.os,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    ...(draft.variant ? { variant: draft.variant } : {}),
  };
  return Buffer.from(JSON.stringify(config));
}

/**
 * Store the image and name it. The layers are all in the store already
 * (the build made or reused them). Returns the image ID.
 */
export function commitImage(store: Store, configBytes: Buffer, chains: string[], tags: string[]): string {
  const id = sha256(configBytes);
  store.blobs.put(configBytes);
  const now = Date.now();
  immediate(store.db, () => {
    for (const c of chains) if (!store.images.layer(c)) throw new BerthError('NOT_FOUND', `layer ${c} is missing`);
    if (!store.images.image(id)) {
      const config = JSON.parse(configBytes.toString('utf8')) as { created?: string; rootfs: { diff_ids: string[] } };
      const diffIds = config.rootfs.diff_ids;
      const check = chainIds(diffIds);
      if (check.join() !== chains.join()) throw new BerthError('RUNTIME', 'the image layers do not match its config');
      store.images.insertImage(
        {
          id,
          created: config.created ?? '',
          addedAt: now,
          size: chains.reduce((s, c) => s + (store.images.layer(c)?.size ?? 0), 0),
          parent: null,
          diffIds,
          topLayer: chains.length ? chains[chains.length - 1]! : null,
          lastTagAt: null,
        },
        chains,
      );
    }
    for (const name of tags) {
      store.images.setTag(name, id, now, true);
      store.event({ type: 'image', action: 'tag', actorId: id, attributes: { name } });
    }
  });
  return id;
}
