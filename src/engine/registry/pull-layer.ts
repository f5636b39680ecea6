/**
 * One layer of a pull: the blob streams from the registry through its
 * digest check, decompression (gzip, zstd or none, by magic bytes as docker
 * detects it), the DiffID check and the uncompressed tar blob writer into
 * the layer unpacker, all at once: the layer is unpacked while it
 * downloads. A digest that does not match discards everything.
 */
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { decompress, detectCompression, peek } from '../archive/compression.js';
import type { PreparedLayer } from '../archive/commit-images.js';
import { unpackLayer } from '../layer/unpack.js';
import type { Store } from '../store/store.js';
import { PoolHash } from '../util/pool-hash.js';
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

async function* tap(src: AsyncIterable<Buffer>, each: (c: Buffer) => Promise<void>): AsyncGenerator<Buffer> {
  for await (const c of src) {
    await each(c);
    yield c;
  }
}

/** The uncompressed tar blob at a scratch path, written and hashed on libuv's pool (util/pool-hash.ts). */
class TarBlob {
  private readonly fd: number;
  readonly hash: PoolHash;
  private closed = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx', 0o644);
    this.hash = new PoolHash(this.fd);
  }

  /** Every byte written; the file stays for the commit. Returns its digest. */
  async finish(): Promise<string> {
    const digest = await this.hash.digest();
    this.close();
    return digest;
  }

  /** Nothing left of it (once what the pool was writing is done). */
  async discard(): Promise<void> {
    await this.hash.settle().catch(() => undefined);
    this.close();
    rmSync(this.path, { force: true });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
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
  // both digests are made on libuv's pool, beside this thread's decompressing and unpacking
  const hash = new PoolHash();
  let received = 0;
  // how the download itself ended, whoever was reading it (the decompressor, or the drain below): a generator
  // that has thrown is done, so a second reader sees a short stream, not the error
  let downloadError: unknown = null;
  const raw = tap(
    remember(
      blobStream(repo, desc, signal, (o, a) => events.retrying(o, a)),
      (e) => (downloadError ??= e),
    ),
    async (c) => {
      received += c.length;
      events.downloading(received);
      await hash.update(c);
    },
  )[Symbol.asyncIterator]();
  mkdirSync(store.layout.blobsDir, { recursive: true });
  const blob = new TarBlob(join(scratch, `blob-${index}`));
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
        nonClosing(tap(nonClosing(data), (c) => blob.hash.update(c))),
        diffDir,
        signal ? { signal } : {},
      );
      size = res.size;
      // the tar's end marker may come before the end of the stream: the rest still counts for the digests
      for await (const c of nonClosing(data)) await blob.hash.update(c);
    } catch (e) {
      failure = e;
    }
    // whatever the decompressor left unread still counts for the download's digest
    for await (const _ of nonClosing(raw)) void _;
  } catch (e) {
    await blob.discard();
    await hash.settle().catch(() => undefined);
    throw e;
  }
  let diffDigest: string;
  let digest: string;
  try {
    diffDigest = await blob.finish();
    digest = await hash.digest();
  } catch (e) {
    await blob.discard();
    throw new BerthError('IO', `writing layer ${desc.digest}: ${(e as Error).message}`, { cause: e });
  }
  // a cancel, or a download that failed, is that (not a digest mismatch of the bytes that came)
  if (signal?.aborted || downloadError) {
    await blob.discard();
    if (signal?.aborted) throw new BerthError('CANCELLED', 'pull cancelled', { cause: downloadError ?? failure });
    throw downloadError;
  }
  if (digest !== desc.digest || received !== desc.size) {
    await blob.discard();
    throw verificationFailed(desc.digest);
  }
  if (failure) {
    await blob.discard();
    if (failure instanceof BerthError) throw failure;
    throw new BerthError('INVALID_ARCHIVE', `layer ${desc.digest}: ${(failure as Error).message}`, { cause: failure });
  }
  events.downloaded();
  if (diffDigest !== diffId) {
    await blob.discard();
    throw new BerthError(
      'DIGEST_MISMATCH',
      `layers from manifest don't match image configuration (layer ${desc.digest})`,
    );
  }
  return { diffId, blobPath: blob.path, treeRoot, size, tarSize: blob.hash.bytes };
}
