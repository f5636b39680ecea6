/**
 * One layer of a pull: the blob streams from the registry through its
 * digest check, decompression (gzip, zstd or none, by magic bytes as docker
 * detects it), the DiffID check and the uncompressed tar blob writer into
 * the layer unpacker, all at once: the layer is unpacked while it
 * downloads. A digest that does not match discards everything.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { decompress, detectCompression, peek } from '../archive/compression.js';
import type { PreparedLayer } from '../archive/commit-images.js';
import { unpackLayer } from '../layer/unpack.js';
import type { Store } from '../store/store.js';
import { blobStream, verificationFailed } from './blob-stream.js';
import type { Repository } from './client.js';
import type { Descriptor } from './manifest.js';

export interface LayerEvents {
  /** Compressed bytes received so far. */
  downloading(current: number): void;
  /** The download is complete and verified. */
  downloaded(): void;
  retrying(offset: number, attempt: number): void;
}

/** An iterable over it whose consumer cannot close it by stopping early. */
function nonClosing<T>(it: AsyncIterator<T>): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: () => ({ next: () => it.next() }) };
}

/** The same stream, telling `failed` of an error it ends with. */
async function* remember(src: AsyncIterable<Buffer>, failed: (e: unknown) => void): AsyncGenerator<Buffer> {
  try {
    yield* src;
  } catch (e) {
    failed(e);
    throw e;
  }
}

async function* tap(src: AsyncIterable<Buffer>, each: (c: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const c of src) {
    each(c);
    yield c;
  }
}

export async function pullLayer(
  store: Store,
  repo: Repository,
  desc: Descriptor,
  diffId: string,
  scratch: string,
  index: number,
  events: LayerEvents,
  signal?: AbortSignal,
): Promise<PreparedLayer> {
  const hash = createHash('sha256');
  let received = 0;
  // how the download itself ended, whoever was reading it (the decompressor, or the drain below): a generator
  // that has thrown is done, so a second reader sees a short stream, not the error
  let downloadError: unknown = null;
  const raw = tap(
    remember(
      blobStream(repo, desc, signal, (o, a) => events.retrying(o, a)),
      (e) => (downloadError ??= e),
    ),
    (c) => {
      hash.update(c);
      received += c.length;
      events.downloading(received);
    },
  )[Symbol.asyncIterator]();
  const blob = store.blobs.writerAt(join(scratch, `blob-${index}`));
  const treeRoot = join(scratch, `layer-${index}`);
  const diffDir = join(treeRoot, 'diff');
  mkdirSync(diffDir, { recursive: true });
  let size = 0;
  let failure: unknown = null;
  try {
    const { head, rest } = await peek(nonClosing(raw), 6);
    const data = (await decompress(detectCompression(head), rest))[Symbol.asyncIterator]();
    try {
      const res = await unpackLayer(
        nonClosing(tap(nonClosing(data), (c) => blob.write(c))),
        diffDir,
        signal ? { signal } : {},
      );
      size = res.size;
      // the tar's end marker may come before the end of the stream: the rest still counts for the digests
      for await (const c of nonClosing(data)) blob.write(c);
    } catch (e) {
      failure = e;
    }
    // whatever the decompressor left unread still counts for the download's digest
    for await (const _ of nonClosing(raw)) void _;
  } catch (e) {
    blob.abort();
    throw e;
  }
  blob.close(false);
  // a cancel, or a download that failed, is that (not a digest mismatch of the bytes that came)
  if (signal?.aborted || downloadError) {
    blob.abort();
    if (signal?.aborted) throw new BerthError('CANCELLED', 'pull cancelled', { cause: downloadError ?? failure });
    throw downloadError;
  }
  const digest = 'sha256:' + hash.digest('hex');
  if (digest !== desc.digest || received !== desc.size) {
    blob.abort();
    throw verificationFailed(desc.digest);
  }
  if (failure) {
    blob.abort();
    if (failure instanceof BerthError) throw failure;
    throw new BerthError('INVALID_ARCHIVE', `layer ${desc.digest}: ${(failure as Error).message}`, { cause: failure });
  }
  events.downloaded();
  if (blob.digest() !== diffId) {
    blob.abort();
    throw new BerthError(
      'DIGEST_MISMATCH',
      `layers from manifest don't match image configuration (layer ${desc.digest})`,
    );
  }
  return { diffId, blobPath: blob.tmpPath, treeRoot, size, tarSize: blob.bytes };
}
