/**
 * A step's change as a layer of the store, and its cache record: the tree
 * (a COPY's new tree, or a RUN's upper directory) written as an
 * uncompressed tar blob in overlay form (whiteouts and opaque markers as
 * docker writes them), its tree kept (a COPY tree as it is; a RUN's tree
 * unpacked from the tar, which leaves the overlay's own attributes behind),
 * then, when the store does not have that layer in full already, the files
 * a COPY kept in memory written into the tree and a flush, and one
 * IMMEDIATE transaction that moves the tree into layers/<chain>, adopts the
 * blob, inserts the layer row and the record.
 */
import { chmodSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { BerthError } from '../../errors.js';
import { tarFromUpper } from '../../layer/tar-out.js';
import { native } from '../../native.js';
import { immediate } from '../../store/db.js';
import type { Store } from '../../store/store.js';
import { TarWriter } from '../../tar/writer.js';
import { BuildCacheDb } from '../cache/cache-db.js';
import { createHash } from 'node:crypto';
import type { TreeKnowledge } from '../fs/copy.js';
import type { UnwrittenFiles } from '../fs/unwritten.js';

export interface StepLayer {
  diffId: string;
  blobPath: string;
  /** Directory whose `diff` is the layer's tree. */
  treeRoot: string;
  size: number;
  tarSize: number;
  /** Files of the tree still in memory (a COPY's): written into `treeRoot/diff` if the layer is new. */
  unwritten?: UnwrittenFiles;
}

/** What the writer of a tree knows each entry holds (fs/copy.ts TreeWriter.known). */
export type TreeKnown = TreeKnowledge;

export const chainOf = (parent: string | null, diffId: string) =>
  parent ? 'sha256:' + createHash('sha256').update(`${parent} ${diffId}`).digest('hex') : diffId;

/**
 * Tar `tree` into a blob and keep the tree as the layer's: a COPY's tree as
 * it is; a RUN's upper directory too (whiteouts and opaque directories are
 * already in overlay form; the overlay's own trusted.overlay.origin/impure
 * attributes left on it are read only from an upper layer, never from a
 * lower one, and the tar leaves them out).
 */
export async function layerFromTree(
  store: Store,
  dir: string,
  tree: string,
  upper: boolean,
  signal?: AbortSignal,
  known?: TreeKnown | null,
): Promise<StepLayer> {
  const blobPath = join(dir, 'layer.tar');
  const writer = store.blobs.writerAt(blobPath);
  let size = 0;
  const seen = new Set<string>();
  try {
    // the tar's many small pieces (headers, bodies, padding) go to the blob in 1 MiB writes
    const batch = Buffer.allocUnsafe(1 << 20);
    let used = 0;
    const flush = () => {
      if (used) writer.write(batch.subarray(0, used));
      used = 0;
    };
    const out = new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _enc, cb) {
        try {
          if (used + chunk.length > batch.length) flush();
          if (chunk.length >= batch.length) writer.write(chunk);
          else used += chunk.copy(batch, used);
          cb();
        } catch (e) {
          cb(e as Error);
        }
      },
      final(cb) {
        try {
          flush();
          cb();
        } catch (e) {
          cb(e as Error);
        }
      },
    });
    const tar = new TarWriter(out);
    await tarFromUpper(tar, tree, {
      ...(signal ? { signal } : {}),
      ...(known ? { known: known.entry } : {}),
      ...(known?.unwritten ? { unwritten: known.unwritten.inDir } : {}),
      onEntry: (e) => {
        if (e.st.isDirectory() || (upper && e.st.isCharacterDevice() && e.st.rdev === 0n)) return;
        const key = `${e.st.dev}:${e.st.ino}`;
        if (seen.has(key)) return;
        seen.add(key);
        size += Number(e.st.size);
      },
    });
    await tar.finish();
    writer.close(false);
  } catch (e) {
    writer.abort();
    throw e;
  }
  const treeRoot = join(dir, 'layer');
  mkdirSync(treeRoot, { recursive: true });
  renameSync(tree, join(treeRoot, 'diff'));
  if (upper) chmodSync(join(treeRoot, 'diff'), 0o755);
  return {
    diffId: writer.digest(),
    blobPath,
    treeRoot,
    size,
    tarSize: writer.bytes,
    ...(known?.unwritten ? { unwritten: known.unwritten } : {}),
  };
}

const writeFailed = (e: unknown) =>
  new BerthError('IO', `cannot write the layer's files: ${(e as Error).message}`, { cause: e });
const flushFailed = (e: unknown) =>
  new BerthError('IO', `cannot flush the store to disk: ${(e as Error).message}`, { cause: e });

/** The tree made complete on the disk (the files still in memory written), then the store flushed. */
async function syncAsync(store: Store, layer: StepLayer): Promise<void> {
  // (try/await: the addon throws at once for what it cannot start, as well as rejecting)
  try {
    await layer.unwritten?.writeAll(join(layer.treeRoot, 'diff'));
  } catch (e) {
    throw writeFailed(e);
  }
  try {
    await native().syncfsAsync(store.layout.root);
  } catch (e) {
    throw flushFailed(e);
  }
}

/** syncAsync inside a transaction (a layer removed since it was looked at): on this thread. */
function sync(store: Store, layer: StepLayer): void {
  try {
    layer.unwritten?.write(join(layer.treeRoot, 'diff'));
  } catch (e) {
    throw writeFailed(e);
  }
  try {
    native().syncfs(store.layout.root);
  } catch (e) {
    throw flushFailed(e);
  }
}

export interface CacheEntry {
  key: string;
  description: string;
  createdAt: string;
}

/**
 * Make the layer visible on top of `parents` (chain IDs, bottom first) and
 * record the step; returns the new chain ID. An identical layer already
 * there (another build made it) is used as it is.
 */
export async function commitStepLayer(
  store: Store,
  parents: string[],
  layer: StepLayer,
  entry: CacheEntry | null,
  trash: string,
): Promise<string> {
  const chain = chainOf(parents[parents.length - 1] ?? null, layer.diffId);
  const dest = store.layout.layerDir(chain.slice(7));
  // a layer the store has in full (a --no-cache rebuild of the same files) takes nothing of
  // this step's from the disk: the files still in memory are not written, the flush is only
  // for what is new
  const present = () => !!store.images.layer(chain) && existsSync(dest) && store.blobs.has(layer.diffId);
  const flushed = !present();
  if (flushed) await syncAsync(store, layer);
  const now = Date.now();
  immediate(store.db, () => {
    // removed since it was looked at: this step's tree and blob are taken after all
    if (!flushed && !present()) sync(store, layer);
    const row = store.images.layer(chain);
    for (const p of parents)
      if (!store.images.layer(p)) throw new BerthError('NOT_FOUND', `layer ${p} was removed during the build`);
    if (row && existsSync(dest))
      renameSync(layer.treeRoot, join(trash, `${chain.slice(7)}-${now}-${process.hrtime.bigint()}`));
    else {
      if (existsSync(dest)) renameSync(dest, join(trash, `${chain.slice(7)}-${now}`));
      renameSync(layer.treeRoot, dest);
      if (!row)
        store.images.insertLayer(
          {
            chainId: chain,
            diffId: layer.diffId,
            parent: parents[parents.length - 1] ?? null,
            size: layer.size,
            tarSize: layer.tarSize,
          },
          now,
        );
    }
    if (!store.blobs.has(layer.diffId)) store.blobs.adopt(layer.blobPath, layer.diffId);
    if (entry)
      new BuildCacheDb(store.db).put(
        {
          key: entry.key,
          chainId: chain,
          diffId: layer.diffId,
          createdAt: entry.createdAt,
          lastUsed: now,
          usageCount: 1,
          description: entry.description,
        },
        [...parents, chain],
      );
  });
  return chain;
}
