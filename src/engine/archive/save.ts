/**
 * `save`: write images as one archive in the layout docker >= 25 writes,
 * which every loader reads: OCI `blobs/sha256/...`, `index.json`,
 * `oci-layout`, plus docker's `manifest.json` and `repositories`. Layer
 * blobs are the original uncompressed tars the store kept, so their bytes
 * (and DiffIDs) are exactly what was loaded. Streams: memory does not grow
 * with image size.
 */
import type { Writable } from 'node:stream';
import { BerthError, notFound } from '../errors.js';
import { imageConfig } from '../image/config.js';
import { familiar } from '../image/list.js';
import { resolveImage } from '../image/resolve.js';
import { familiarName, normalizedString, parseReference, withDefaultTag } from '../reference/reference.js';
import { sha256 } from '../store/blobs.js';
import type { Store } from '../store/store.js';
import type { TransferProgress } from '../types.js';
import { newHeader } from '../tar/header.js';
import { TarWriter } from '../tar/writer.js';

export interface SaveOptions {
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
}

interface SaveItem {
  id: string;
  /** Normalised tags to record for it. */
  tags: string[];
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** docker's parseNames: a bare repository name means all its tags; an ID means no tags. */
export function saveItems(store: Store, names: string[]): SaveItem[] {
  const items = new Map<string, SaveItem>();
  const add = (id: string, tag?: string) => {
    const it = items.get(id) ?? items.set(id, { id, tags: [] }).get(id)!;
    if (tag && !it.tags.includes(tag)) it.tags.push(tag);
  };
  for (const name of names) {
    let ref = null;
    try {
      ref = parseReference(name);
    } catch {
      ref = null;
    }
    if (ref && !ref.tag && !ref.digest) {
      const repo = normalizedString(ref);
      const tagged = store.images.images().flatMap((img) =>
        store.images
          .tagsOf(img.id)
          .filter((t) => t.startsWith(repo + ':'))
          .map((t) => [img.id, t] as const),
      );
      if (tagged.length) {
        for (const [id, t] of tagged) add(id, t);
        continue;
      }
    }
    const r = resolveImage(store.images, name);
    add(r.id, r.kind === 'tag' ? r.name : undefined);
  }
  return [...items.values()];
}

/** Archive members carry docker's fixed times and owners: the output depends only on the images. */
function writerFor(tar: TarWriter, signal?: AbortSignal) {
  return async (name: string, data: Buffer | { path: string; size: number }): Promise<number> => {
    if (signal?.aborted) throw new BerthError('CANCELLED', 'save cancelled');
    const size = Buffer.isBuffer(data) ? data.length : data.size;
    await tar.add(
      newHeader({ name, type: 'file', size, mode: 0o644 }),
      Buffer.isBuffer(data) ? data : { path: data.path },
      signal,
    );
    return size;
  };
}

export async function saveImages(store: Store, names: string[], out: Writable, opts: SaveOptions = {}): Promise<void> {
  if (!names.length) throw new BerthError('INVALID_ARGUMENT', 'save needs at least one image');
  const items = saveItems(store, names);
  // Check everything is present before writing a byte.
  const plan = items.map((it) => {
    const row = store.images.image(it.id);
    if (!row) throw notFound(`No such image: ${it.id}`);
    const layers = store.images.layersOf(it.id);
    for (const l of layers) {
      if (!store.blobs.has(l.diffId)) {
        throw new BerthError(
          'NOT_FOUND',
          `layer ${l.diffId} of image ${it.id} has no blob in the store; run berth system check`,
        );
      }
    }
    return { ...it, row, layers, configBytes: store.blobs.read(it.id) };
  });
  const total = plan.reduce((s, p) => s + p.layers.reduce((t, l) => t + l.tarSize, 0), 0);
  const tar = new TarWriter(out);
  const write = writerFor(tar, opts.signal);
  const progress: TransferProgress = { bytes: 0, total, layers: 0, current: '' };
  try {
    const written = new Set<string>();
    const manifest: unknown[] = [];
    const index: unknown[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const p of plan) {
      const config = imageConfig(store, p.id);
      const hex = p.id.slice(7);
      if (!written.has(p.id)) {
        written.add(p.id);
        await write(`blobs/sha256/${hex}`, p.configBytes);
      }
      for (const l of p.layers) {
        if (written.has(l.diffId)) continue;
        written.add(l.diffId);
        progress.current = l.diffId;
        progress.bytes += await write(`blobs/sha256/${l.diffId.slice(7)}`, {
          path: store.blobs.path(l.diffId),
          size: l.tarSize,
        });
        progress.layers++;
        opts.onProgress?.({ ...progress });
      }
      const platform = { architecture: config.architecture ?? 'amd64', os: config.os ?? 'linux' };
      const m = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: OCI_CONFIG, digest: p.id, size: p.configBytes.length },
          layers: p.layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.diffId, size: l.tarSize })),
        }),
      );
      const mDigest = sha256(m);
      if (!written.has(mDigest)) {
        written.add(mDigest);
        await write(`blobs/sha256/${mDigest.slice(7)}`, m);
      }
      const desc = { mediaType: OCI_MANIFEST, digest: mDigest, size: m.length, platform };
      if (!p.tags.length) index.push(desc);
      for (const t of p.tags) {
        const ref = withDefaultTag(parseReference(t));
        index.push({
          ...desc,
          annotations: {
            'io.containerd.image.name': normalizedString(ref),
            'org.opencontainers.image.ref.name': ref.tag,
          },
        });
        const repo = familiarName(ref);
        (repositories[repo] ??= {})[ref.tag!] = p.layers.length ? p.layers[p.layers.length - 1]!.diffId.slice(7) : '';
      }
      manifest.push({
        Config: `blobs/sha256/${hex}`,
        RepoTags: p.tags.length ? p.tags.map(familiar) : null,
        Layers: p.layers.map((l) => `blobs/sha256/${l.diffId.slice(7)}`),
        ...(p.row.parent && plan.some((q) => q.id === p.row.parent) ? { Parent: p.row.parent } : {}),
      });
    }
    await write(
      'index.json',
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: index })),
    );
    await write('manifest.json', Buffer.from(JSON.stringify(manifest) + '\n'));
    await write('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
    if (Object.keys(repositories).length) await write('repositories', Buffer.from(JSON.stringify(repositories) + '\n'));
    await tar.finish();
    for (const p of plan) store.event({ type: 'image', action: 'save', actorId: p.id, attributes: {} });
  } catch (e) {
    throw e instanceof BerthError ? e : new BerthError('IO', `save failed: ${(e as Error).message}`, { cause: e });
  }
}
