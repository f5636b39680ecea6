/**
 * The last step of load (and of import and commit): make prepared layers and
 * images visible. Blobs and trees are already complete in scratch space; they
 * are flushed to disk, then one IMMEDIATE transaction moves each layer tree
 * into layers/<chain>, adopts its tar blob, and inserts layer, image and tag
 * rows. Either all of it becomes visible or none of it.
 */
import { createReadStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError, invalidArchive } from '../errors.js';
import { chainIds } from '../layer/chain.js';
import { unpackLayer } from '../layer/unpack.js';
import { native } from '../native.js';
import { immediate } from '../store/db.js';
import type { Store } from '../store/store.js';
import { normalizedString, parseReference, withDefaultTag } from '../reference/reference.js';
import type { LoadResult } from './load.js';
import { familiar } from '../image/list.js';
import { imageConfigError } from '../image/config-check.js';

export interface PreparedLayer {
  diffId: string;
  /** Scratch file holding the uncompressed tar. */
  blobPath: string;
  /** Scratch directory whose `diff` subdirectory is the unpacked tree. */
  treeRoot: string;
  size: number;
  tarSize: number;
}

export interface PreparedImage {
  id: string;
  configBytes: Buffer;
  layers: PreparedLayer[];
  /** Names as the archive gives them; normalised here. */
  repoTags: string[];
  parent?: string | undefined;
}

/** A name from an archive as a normalised tag, or null when it is only a bare tag. */
export function archiveTagName(raw: string): string | null {
  // OCI layouts may name a manifest with only a tag ("v1"): no repository to tag.
  if (!raw.includes('/') && !raw.includes(':')) return null;
  try {
    const ref = parseReference(raw);
    if (ref.digest) return null;
    return normalizedString(withDefaultTag(ref));
  } catch (e) {
    throw invalidArchive(`archive names its image "${raw}", which is not a valid reference`, e);
  }
}

function syncStore(store: Store): void {
  try {
    native().syncfs(store.layout.root);
  } catch (e) {
    throw new BerthError('IO', `cannot flush the store to disk: ${(e as Error).message}`, { cause: e });
  }
}

export async function commitImages(
  store: Store,
  scratch: string,
  images: PreparedImage[],
  opts: {
    signal?: AbortSignal;
    action: 'load' | 'import' | 'commit' | 'pull';
    /** More writes for the same transaction (a pull's names, manifests and events). */
    inTx?: () => void;
  },
): Promise<LoadResult> {
  const { signal } = opts;
  // every image enters the store here: refuse configs an image may not carry (a VOLUME that is a mount spec)
  for (const img of images) {
    let why: string | null;
    try {
      why = imageConfigError(JSON.parse(img.configBytes.toString('utf8')));
    } catch (e) {
      throw invalidArchive(`image ${img.id}: the config is not valid JSON`, e);
    }
    if (why) {
      const msg = `image ${img.id}: ${why}`;
      throw opts.action === 'load' ? invalidArchive(msg) : new BerthError('INVALID_ARGUMENT', msg);
    }
  }
  const names = images.map((img) => img.repoTags.map(archiveTagName).filter((n): n is string => n !== null));
  // Give every chain a tree of its own. A tree already used for another
  // chain (same DiffID on another parent) is unpacked again from its blob.
  const treeFor = new Map<string, PreparedLayer>();
  const usedTrees = new Set<string>();
  let copies = 0;
  for (const img of images) {
    const chains = chainIds(img.layers.map((l) => l.diffId));
    for (let i = 0; i < chains.length; i++) {
      const chain = chains[i]!;
      if (treeFor.has(chain) || store.images.layer(chain)) continue;
      const l = img.layers[i]!;
      if (!usedTrees.has(l.treeRoot)) {
        usedTrees.add(l.treeRoot);
        treeFor.set(chain, l);
        continue;
      }
      const treeRoot = join(scratch, `copy-${copies++}`);
      mkdirSync(join(treeRoot, 'diff'), { recursive: true });
      await unpackLayer(createReadStream(l.blobPath), join(treeRoot, 'diff'), signal ? { signal } : {});
      treeFor.set(chain, { ...l, treeRoot });
    }
  }
  if (signal?.aborted) throw new BerthError('CANCELLED', 'load cancelled');
  for (const img of images) store.blobs.put(img.configBytes);
  syncStore(store);

  const notes: string[] = [];
  const now = Date.now();
  const adopted = new Set<string>();
  const trash = join(scratch, 'trash');
  mkdirSync(trash, { recursive: true });
  const result = immediate(store.db, () => {
    const out: { id: string; tags: string[] }[] = [];
    images.forEach((img, n) => {
      const chains = chainIds(img.layers.map((l) => l.diffId));
      chains.forEach((chain, i) => {
        const l = img.layers[i]!;
        const row = store.images.layer(chain);
        const dest = store.layout.layerDir(chain.slice(7));
        const tree = treeFor.get(chain);
        if (row && existsSync(dest)) return;
        if (!tree) throw new BerthError('IO', `layer ${chain} changed while loading; try again`);
        if (existsSync(dest)) renameSync(dest, join(trash, chain.slice(7))); // an orphan without a row
        renameSync(tree.treeRoot, dest);
        treeFor.delete(chain);
        if (!adopted.has(l.blobPath)) {
          adopted.add(l.blobPath);
          store.blobs.adopt(l.blobPath, l.diffId);
        }
        if (!row) {
          store.images.insertLayer(
            { chainId: chain, diffId: l.diffId, parent: i ? chains[i - 1]! : null, size: l.size, tarSize: l.tarSize },
            now,
          );
        }
      });
      for (const l of img.layers) {
        if (!store.blobs.has(l.diffId) && !adopted.has(l.blobPath)) {
          adopted.add(l.blobPath);
          store.blobs.adopt(l.blobPath, l.diffId);
        }
      }
      if (!store.images.image(img.id)) {
        const config = JSON.parse(img.configBytes.toString('utf8')) as { created?: string };
        store.images.insertImage(
          {
            id: img.id,
            created: typeof config.created === 'string' ? config.created : '',
            addedAt: now,
            size: img.layers.reduce((s, l) => s + l.size, 0),
            parent: null,
            diffIds: img.layers.map((l) => l.diffId),
            topLayer: chains.length ? chains[chains.length - 1]! : null,
            lastTagAt: null,
          },
          chains,
        );
      }
      if (opts.action !== 'pull')
        store.event({ type: 'image', action: opts.action, actorId: img.id, attributes: {} }, now);
      for (const name of names[n]!) {
        const prev = store.images.setTag(name, img.id, now, false);
        if (prev)
          notes.push(
            `The image ${familiar(name)} already exists, renaming the old one with ID ${prev} to empty string`,
          );
        store.event({ type: 'image', action: 'tag', actorId: img.id, attributes: { name } }, now);
      }
      out.push({ id: img.id, tags: names[n]!.map(familiar) });
    });
    // Parents last, once every image of the archive is in (docker's validatedParentLinks).
    for (const img of images) {
      if (img.parent && store.images.image(img.parent) && !store.images.image(img.id)?.parent) {
        store.images.setParent(img.id, img.parent);
      }
    }
    opts.inTx?.();
    return out;
  });
  return { images: result, notes };
}
