/**
 * Compression detected by magic bytes, never by file name: plain, gzip,
 * bzip2, xz and zstd, for whole archives and for single layer blobs. Works on
 * async iterables of Buffers so stages compose without extra stream classes.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { BerthError } from '../errors.js';
import { native } from '../native.js';
import { chunksOf, gathered } from '../util/stream-chunks.js';
import { isalGunzip } from './isal-gunzip.js';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** Read at least n bytes (fewer at end of input) without losing them. */
export async function peek(
  src: AsyncIterable<Buffer>,
  n: number,
): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const it = src[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let len = 0;
  let done = false;
  while (len < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    chunks.push(r.value);
    len += r.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, rest: rest() };
}

function corrupt(kind: Compression, e: unknown): BerthError {
  const msg = (e as Error)?.message ?? String(e);
  return new BerthError('INVALID_ARCHIVE', `${kind} data is truncated or corrupt: ${msg}`, { cause: e });
}

async function* throughNodeStream(
  src: AsyncIterable<Buffer>,
  make: () => NodeJS.ReadWriteStream,
  kind: Compression,
): AsyncGenerator<Buffer> {
  const inner = make();
  const input = Readable.from(src, { objectMode: false });
  let srcError: unknown;
  input.on('error', (e) => {
    srcError = e;
    (inner as unknown as { destroy?: (e: unknown) => void }).destroy?.(e);
  });
  input.pipe(inner);
  // Classic (streams1) duplexes have no async iterator: wrap them.
  const out = Readable.prototype.isPrototypeOf(inner)
    ? (inner as unknown as Readable)
    : new Readable({ read() {} }).wrap(inner as NodeJS.ReadableStream);
  try {
    yield* chunksOf(out);
  } catch (e) {
    if (srcError) throw srcError;
    throw corrupt(kind, e);
  } finally {
    input.destroy();
  }
  if (srcError) throw srcError;
}

async function* zstd(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const out: Uint8Array[] = [];
  const d = new ZstdDecompress((chunk) => out.push(chunk));
  try {
    for await (const c of src) {
      d.push(c);
      while (out.length) yield Buffer.from(out.shift()!);
    }
    d.push(new Uint8Array(0), true);
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw corrupt('zstd', e);
  }
  while (out.length) yield Buffer.from(out.shift()!);
}

/** zlib's gzip input pieces (see gathered()), and its output's. */
const GZIP_IN = 256 << 10;
const GZIP_OUT = 256 << 10;

/** ISA-L's stream (isal-gunzip.ts): its failures told as zlib's are, the source's as they came. */
async function* isal(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let srcError: unknown = null;
  async function* watched(): AsyncGenerator<Buffer> {
    try {
      yield* src;
    } catch (e) {
      srcError = e;
      throw e;
    }
  }
  try {
    yield* isalGunzip(watched());
  } catch (e) {
    if (srcError) throw srcError;
    if (e instanceof BerthError) throw e;
    throw corrupt('gzip', e);
  }
}

/**
 * gzip by ISA-L when the addon was built with it (here, in less than half zlib's CPU time, and off the
 * caller's thread), else by zlib. `engine` chooses (tests).
 */
export function gunzip(
  src: AsyncIterable<Buffer>,
  engine: 'isal' | 'zlib' = native().inflateAvailable ? 'isal' : 'zlib',
): AsyncIterable<Buffer> {
  if (engine === 'isal') return isal(src);
  return throughNodeStream(gathered(src, GZIP_IN), () => createGunzip({ chunkSize: GZIP_OUT }), 'gzip');
}

export async function decompress(kind: Compression, src: AsyncIterable<Buffer>): Promise<AsyncIterable<Buffer>> {
  switch (kind) {
    case 'none':
      return src;
    case 'gzip':
      return gunzip(src);
    case 'zstd':
      return zstd(src);
    case 'xz': {
      const { createDecompressor } = await import('lzma-native');
      return throughNodeStream(src, () => createDecompressor(), kind);
    }
    case 'bzip2': {
      const { default: unbzip2 } = await import('unbzip2-stream');
      return throughNodeStream(src, () => unbzip2(), kind);
    }
  }
}

/** Detect and undo compression of a whole stream. */
export async function autoDecompress(
  src: AsyncIterable<Buffer>,
): Promise<{ kind: Compression; data: AsyncIterable<Buffer> }> {
  const { head, rest } = await peek(src, 6);
  const kind = detectCompression(head);
  return { kind, data: await decompress(kind, rest) };
}
