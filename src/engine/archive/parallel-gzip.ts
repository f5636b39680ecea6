/**
 * gzip on every core, as pigz does: the input is cut into blocks that are
 * deflated at the same time on libuv's thread pool (zlib's own code, at the
 * level asked), each primed with the 32 KiB before it as its dictionary and
 * ended with a sync flush, the last with the final block; the pieces,
 * concatenated in order between one gzip header and a trailer with the
 * CRC-32 and length of the whole, are one ordinary gzip member that any
 * inflater reads. The output depends only on the input, the level and the
 * block size, so the same tar always gives the same digest.
 *
 * Where Node has no zlib.crc32 (before 20.15), the stream is compressed by
 * one zlib stream instead.
 */
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

const BLOCK = 1 << 20;
const WINDOW = 32 * 1024;
/** Blocks deflated at once: the thread pool's default size, enough for the cores of a small machine. */
const PARALLEL = 4;
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

type Crc32 = (data: Uint8Array, value?: number) => number;

function deflateBlock(block: Buffer, dictionary: Buffer | null, last: boolean, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zlib.deflateRaw(
      block,
      {
        level,
        finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
        chunkSize: BLOCK, // one output buffer per block, mostly
        ...(dictionary ? { dictionary } : {}),
      },
      (e, out) => (e ? reject(e) : resolve(out)),
    );
  });
}

/** The input in blocks of exactly BLOCK bytes (the last one shorter, maybe empty). */
async function* blocks(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const chunk of src) {
    let c = chunk;
    while (have + c.length >= BLOCK) {
      const take = BLOCK - have;
      parts.push(c.subarray(0, take));
      yield Buffer.concat(parts, BLOCK);
      c = c.subarray(take);
      parts = [];
      have = 0;
    }
    if (c.length) {
      parts.push(c);
      have += c.length;
    }
  }
  yield Buffer.concat(parts, have);
}

export async function* parallelGzip(
  src: AsyncIterable<Buffer>,
  level = zlib.constants.Z_DEFAULT_COMPRESSION,
): AsyncGenerator<Buffer> {
  const crc32 = (zlib as unknown as { crc32?: Crc32 }).crc32;
  if (!crc32) {
    yield* Readable.from(src).pipe(zlib.createGzip({ level, chunkSize: 256 * 1024 })) as AsyncIterable<Buffer>;
    return;
  }
  yield HEADER;
  let crc = 0;
  let length = 0;
  const pending: Promise<Buffer>[] = [];
  let prev: Buffer | null = null;
  const it = blocks(src)[Symbol.asyncIterator]();
  let next = await it.next();
  try {
    while (!next.done) {
      const block = next.value;
      next = await it.next();
      const last = !!next.done;
      crc = crc32(block, crc);
      length += block.length;
      const dict = prev && prev.length > WINDOW ? prev.subarray(prev.length - WINDOW) : prev;
      pending.push(deflateBlock(block, dict && dict.length ? dict : null, last, level));
      prev = block;
      if (pending.length >= PARALLEL) yield await pending.shift()!;
    }
    while (pending.length) yield await pending.shift()!;
  } finally {
    // a consumer that stops early, or a failure: the blocks still being deflated end on their own
    for (const p of pending) p.catch(() => undefined);
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  yield trailer;
}
