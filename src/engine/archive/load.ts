/**
 * `load`: stream an image archive (any format in DESIGN.md section 3, any
 * outer compression) into the store. One pass over the input: documents are
 * kept in memory (they are small), every other member that could be a layer
 * is hashed, written as an uncompressed blob and unpacked into a scratch tree
 * while it streams by. Once the archive is read, the index files say which
 * members are layers of which image; DiffIDs are checked, and one immediate
 * transaction moves trees into place and records images and tags. Any
 * failure, or a cancel, leaves nothing but the scratch directory, which is
 * removed (or swept at the next start after a kill -9).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { readTar } from '../tar/reader.js';
import { TarFormatError } from '../tar/header.js';
import { BerthError, invalidArchive } from '../errors.js';
import { unpackLayer } from '../layer/unpack.js';
import type { Store } from '../store/store.js';
import { makeScratch, removeTree } from '../store/scratch.js';
import { autoDecompress, decompress, detectCompression, peek } from './compression.js';
import { archiveImages, isDocumentName, linkTarget, memberName, type ArchiveContents } from './formats.js';
import { commitImages, type PreparedImage, type PreparedLayer } from './commit-images.js';
import { sha256 } from '../store/blobs.js';

export interface LoadProgress {
  /** Bytes of the input read so far. */
  bytes: number;
  /** Layers processed so far. */
  layers: number;
  /** Member being processed. */
  current: string;
}

export interface LoadOptions {
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadedImage {
  id: string;
  /** Normalised names now pointing at it. */
  tags: string[];
}

export interface LoadResult {
  images: LoadedImage[];
  /** Notes docker prints, e.g. that a tag moved away from another image. */
  notes: string[];
}

/**
 * What load keeps in memory, whatever the archive holds: the index documents
 * (manifests, configs, legacy JSON) and symlink members, each charged its
 * bytes plus a fixed cost for its bookkeeping, up to INDEX_BUDGET in all; and
 * at most MAX_LAYERS members streamed as layers. A real archive needs a small
 * part of either (docker save of 200 images: a few MiB of documents).
 */
export const INDEX_BUDGET = 32 * 1024 * 1024;
const ENTRY_COST = 512;
export const MAX_LAYERS = 20_000;

class Budget {
  left = INDEX_BUDGET;
  /** Take n bytes (and one entry's cost), or throw what the archive did wrong. */
  take(n: number, name: string): void {
    this.left -= n + ENTRY_COST;
    if (this.left < 0) throw tooMuch(name);
  }
  /** Bytes a document may still have. */
  room(): number {
    return Math.max(0, this.left - ENTRY_COST);
  }
}

const tooMuch = (name: string) =>
  invalidArchive(
    `archive member ${name}: the archive's index documents exceed ${INDEX_BUDGET / 1024 / 1024} MiB in all`,
  );

interface Candidate extends PreparedLayer {
  name: string;
  rawDigest: string;
  error?: BerthError;
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new BerthError('CANCELLED', 'load cancelled');
}

async function readAll(src: AsyncIterable<Buffer>, budget: Budget, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const limit = budget.room();
  let len = 0;
  for await (const c of src) {
    len += c.length;
    if (len > limit) throw tooMuch(name);
    chunks.push(c);
  }
  budget.take(len, name);
  return Buffer.concat(chunks);
}

/** An iterable over it whose consumer cannot close it by stopping early. */
function nonClosing<T>(it: AsyncIterator<T>): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: () => ({ next: () => it.next() }) };
}

async function* oneChunk(b: Buffer): AsyncGenerator<Buffer> {
  if (b.length) yield b;
}

/** Hash bytes as they pass. */
async function* tap(src: AsyncIterable<Buffer>, each: (c: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const c of src) {
    each(c);
    yield c;
  }
}

async function processLayer(
  store: Store,
  scratch: string,
  index: number,
  name: string,
  entry: AsyncIterable<Buffer>,
  signal?: AbortSignal,
): Promise<Candidate> {
  // The raw digest matters only for compressed blobs (OCI descriptors name
  // them); for plain tars it equals the DiffID, so hash once.
  let rawHash: ReturnType<typeof createHash> | null = null;
  const raw = tap(entry, (c) => {
    checkAbort(signal);
    rawHash?.update(c);
  });
  const { head, rest } = await peek(raw, 6);
  const kind = detectCompression(head);
  if (kind !== 'none') {
    rawHash = createHash('sha256');
    rawHash.update(head);
  }
  const data = (await decompress(kind, rest))[Symbol.asyncIterator]();
  const blob = store.blobs.writerAt(join(scratch, `blob-${index}`));
  const treeRoot = join(scratch, `layer-${index}`);
  const diffDir = join(treeRoot, 'diff');
  mkdirSync(diffDir, { recursive: true });
  const cand: Candidate = { name, rawDigest: '', diffId: '', blobPath: blob.tmpPath, treeRoot, size: 0, tarSize: 0 };
  try {
    const res = await unpackLayer(
      nonClosing(tap(nonClosing(data), (c) => blob.write(c))),
      diffDir,
      signal ? { signal } : {},
    );
    cand.size = res.size;
  } catch (e) {
    if (e instanceof BerthError && e.code === 'CANCELLED') throw e;
    checkAbort(signal);
    cand.error =
      e instanceof BerthError ? e : invalidArchive(`layer ${name} is not a valid tar: ${(e as Error).message}`, e);
  }
  // Whatever the unpacker left unread still counts for the digests.
  for await (const c of nonClosing(data)) blob.write(c);
  blob.close(false);
  cand.tarSize = blob.bytes;
  cand.diffId = blob.digest();
  cand.rawDigest = rawHash ? 'sha256:' + rawHash.digest('hex') : cand.diffId;
  return cand;
}

export async function loadArchive(store: Store, input: Readable, opts: LoadOptions = {}): Promise<LoadResult> {
  const { signal, onProgress } = opts;
  checkAbort(signal);
  const scratch = makeScratch(store.layout.tmpDir, 'load');
  const contents: ArchiveContents = { docs: new Map(), links: new Map() };
  const candidates = new Map<string, Candidate>();
  const progress: LoadProgress = { bytes: 0, layers: 0, current: '' };
  const budget = new Budget();
  const counted = tap(input as AsyncIterable<Buffer>, (c) => {
    progress.bytes += c.length;
  });
  try {
    const outer = await autoDecompress(counted);
    let index = 0;
    let sawEntry = false;
    for await (const entry of readTar(outer.data)) {
      sawEntry = true;
      checkAbort(signal);
      const h = entry.header;
      const body = entry.body;
      const name = memberName(h.name);
      progress.current = name;
      if (h.type === 'symlink' || h.type === 'link') {
        const target = h.type === 'link' ? memberName(h.linkname) : linkTarget(name, h.linkname);
        budget.take(name.length + target.length, name);
        contents.links.set(name, target);
      } else if (h.type !== 'file') {
        // directories and the like carry nothing for us
      } else if (isDocumentName(name)) {
        contents.docs.set(name, await readAll(body, budget, name));
      } else {
        const { head, rest } = await peek(body, 1);
        const first = head.length ? head[0]! : 0;
        // JSON-looking, and small enough to keep: a document; anything else streams as a layer
        if ((first === 0x7b || first === 0x5b) && h.size <= budget.room()) {
          contents.docs.set(name, await readAll(rest, budget, name));
        } else {
          if (index >= MAX_LAYERS) throw invalidArchive(`archive has more than ${MAX_LAYERS} layer members`);
          candidates.set(name, await processLayer(store, scratch, index++, name, rest, signal));
          progress.layers++;
        }
      }
      onProgress?.({ ...progress });
    }
    if (!sawEntry) throw invalidArchive('the input is empty or not a tar archive');
    checkAbort(signal);
    // A layer whose first entry's name starts with "{" or "[" was kept as a document: unpack it now.
    for (const img of archiveImages(contents)) {
      for (const name of img.layers) {
        const doc = contents.docs.get(name);
        if (candidates.has(name) || !doc) continue;
        candidates.set(name, await processLayer(store, scratch, index++, name, oneChunk(doc), signal));
      }
    }
    const prepared = planImages(contents, candidates);
    return commitImages(store, scratch, prepared, { action: 'load', ...(signal ? { signal } : {}) });
  } catch (e) {
    throw normalizeError(e);
  } finally {
    removeTree(scratch);
  }
}

function normalizeError(e: unknown): BerthError {
  if (e instanceof BerthError) return e;
  if (e instanceof TarFormatError) return invalidArchive(e.message.replace(/^tar archive/, 'archive'), e);
  const msg = (e as Error)?.message ?? String(e);
  if (/unexpected end|premature close|truncated/i.test(msg)) return invalidArchive('archive is truncated', e);
  if (/invalid tar header|checksum/i.test(msg)) return invalidArchive(`archive is not a valid tar: ${msg}`, e);
  return new BerthError('IO', `load failed: ${msg}`, { cause: e });
}

/** Match index documents to streamed layers and verify every digest. */
function planImages(contents: ArchiveContents, candidates: Map<string, Candidate>): PreparedImage[] {
  return archiveImages(contents).map((img) => {
    const configDigest = sha256(img.configBytes);
    let config: { rootfs?: { diff_ids?: unknown } };
    try {
      config = JSON.parse(img.configBytes.toString('utf8'));
    } catch (e) {
      throw invalidArchive(`image config ${img.configName} is not valid JSON`, e);
    }
    const diffIds = config?.rootfs?.diff_ids;
    if (!Array.isArray(diffIds) || diffIds.some((d) => typeof d !== 'string')) {
      throw invalidArchive(`image config ${img.configName} has no rootfs.diff_ids`);
    }
    if (diffIds.length !== img.layers.length) {
      throw invalidArchive(
        `image ${configDigest}: config lists ${diffIds.length} layers but the manifest ${img.layers.length}`,
      );
    }
    const layers = img.layers.map((name, i) => {
      const c = candidates.get(name);
      if (!c) throw invalidArchive(`archive is missing layer ${name}`);
      if (img.layerDigests && c.rawDigest !== img.layerDigests[i]) {
        throw new BerthError(
          'DIGEST_MISMATCH',
          `layer ${name}: digest mismatch: descriptor says ${img.layerDigests[i]}, content is ${c.rawDigest}`,
        );
      }
      if (c.diffId !== diffIds[i]) {
        throw new BerthError(
          'DIGEST_MISMATCH',
          `layer ${name}: DiffID mismatch: the image config says ${diffIds[i]}, the content is ${c.diffId}`,
        );
      }
      if (c.error) throw c.error;
      return c;
    });
    return { configBytes: img.configBytes, id: configDigest, layers, repoTags: img.repoTags, parent: img.parent };
  });
}
