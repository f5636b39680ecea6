/** `image inspect` (docker's ImageInspect) and `history`. */
import type { Store } from '../store/store.js';
import type { HistoryItem } from '../types.js';
import { formatRFC3339Nano } from '../util/time.js';
import { imageConfig, unixSeconds } from './config.js';
import { familiar } from './list.js';
import { resolveImage } from './resolve.js';

export function inspectImage(store: Store, ref: string): Record<string, unknown> {
  const { id } = resolveImage(store.images, ref);
  const row = store.images.image(id)!;
  const config = imageConfig(store, id);
  const layers = store.images.layersOf(id);
  const dirs = layers.map((l) => store.layout.layerDiff(l.chainId.slice(7))).reverse();
  const top = layers.length ? store.layout.layerDir(layers[layers.length - 1]!.chainId.slice(7)) : '';
  const out: Record<string, unknown> = {
    Id: id,
    RepoTags: store.images.tagsOf(id).map(familiar),
    RepoDigests: store.images.digestsOf(id).map(familiar),
    Parent: row.parent ?? '',
    // docker falls back to the newest history comment
    Comment: config.comment || config.history?.[config.history.length - 1]?.comment || '',
    Created: config.created ?? '',
    Container: config.container ?? '',
    ContainerConfig: config.container_config ?? {},
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: config.config ?? null,
    Architecture: config.architecture ?? '',
    ...(config.variant ? { Variant: config.variant } : {}),
    Os: config.os ?? '',
    ...(config['os.version'] ? { OsVersion: config['os.version'] } : {}),
    Size: row.size,
    VirtualSize: row.size,
    GraphDriver: {
      Data: layers.length
        ? {
            ...(dirs.length > 1 ? { LowerDir: dirs.slice(1).join(':') } : {}),
            MergedDir: `${top}/merged`,
            UpperDir: dirs[0],
            WorkDir: `${top}/work`,
          }
        : {},
      Name: 'overlay2',
    },
    RootFS: { Type: config.rootfs?.type ?? 'layers', Layers: row.diffIds },
    Metadata: {
      LastTagTime: row.lastTagAt ? formatRFC3339Nano(new Date(row.lastTagAt)) : '0001-01-01T00:00:00Z',
    },
  };
  return out;
}

export function imageHistory(store: Store, ref: string): HistoryItem[] {
  const { id } = resolveImage(store.images, ref);
  const config = imageConfig(store, id);
  const layers = store.images.layersOf(id);
  const items: HistoryItem[] = [];
  let layerIndex = 0;
  for (const h of config.history ?? []) {
    let size = 0;
    if (!h.empty_layer) {
      size = layers[layerIndex]?.size ?? 0;
      layerIndex++;
    }
    items.unshift({
      Id: '<missing>',
      Created: unixSeconds(h.created),
      CreatedBy: h.created_by ?? '',
      Tags: [],
      Size: size,
      Comment: h.comment ?? '',
    });
  }
  // Walk the local parent chain from the top, as docker fills in IDs.
  let cur: string | null = id;
  for (const item of items) {
    if (!cur) break;
    const row = store.images.image(cur);
    if (!row) break;
    item.Id = cur;
    item.Tags = store.images.tagsOf(cur).map(familiar);
    cur = row.parent;
  }
  return items;
}
