/**
 * A tar writer onto a Node Writable, honouring backpressure. Entries are
 * written in full before the next; file bodies stream from a path, a Buffer
 * or an async iterable. finish() writes the two zero blocks.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { BLOCK, encodeHeader, padding, type TarHeader } from './header.js';

export type Body = Buffer | { path: string } | AsyncIterable<Buffer>;

/** Files up to this size are read in one synchronous read (no stream and its 1 MiB buffer per file). */
const SMALL = 256 * 1024;

function readSmall(path: string, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  const fd = openSync(path, 'r');
  try {
    let n = 0;
    while (n < size) {
      const r = readSync(fd, b, n, size - n, null);
      if (r <= 0) break;
      n += r;
    }
    if (n !== size || readSync(fd, Buffer.alloc(1), 0, 1, null) !== 0)
      throw new Error(`${path} changed size while it was being archived`);
  } finally {
    closeSync(fd);
  }
  return b;
}

export class TarWriter {
  private failed: Error | null = null;
  bytes = 0;

  constructor(private readonly out: Writable) {
    out.on('error', (e) => {
      this.failed = e;
    });
  }

  private async write(b: Buffer): Promise<void> {
    if (this.failed) throw this.failed;
    if (!b.length) return;
    this.bytes += b.length;
    if (!this.out.write(b)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          this.out.off('error', onError);
          resolve();
        };
        const onError = (e: Error) => {
          this.out.off('drain', onDrain);
          reject(e);
        };
        this.out.once('drain', onDrain);
        this.out.once('error', onError);
      });
    }
  }

  /** Write one entry; for files, `body` must supply exactly header.size bytes. */
  async add(header: TarHeader, body?: Body, signal?: AbortSignal): Promise<void> {
    await this.write(encodeHeader(header));
    if (header.type !== 'file' || header.size === 0) return;
    let n = 0;
    const src: AsyncIterable<Buffer> | Buffer = !body
      ? Buffer.alloc(0)
      : Buffer.isBuffer(body)
        ? body
        : 'path' in body
          ? header.size <= SMALL
            ? readSmall(body.path, header.size)
            : (createReadStream(body.path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
          : body;
    if (Buffer.isBuffer(src)) {
      n = src.length;
      await this.write(src);
    } else {
      for await (const chunk of src) {
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
        n += chunk.length;
        if (n > header.size) throw new Error(`${header.name} grew while it was being archived`);
        await this.write(chunk);
      }
    }
    if (n !== header.size)
      throw new Error(`${header.name} changed size while it was being archived (${n} of ${header.size} bytes)`);
    await this.write(padding(n));
  }

  /** The end-of-archive marker; then ends the stream unless keepOpen. */
  async finish(keepOpen = false): Promise<void> {
    await this.write(Buffer.alloc(BLOCK * 2));
    if (keepOpen) return;
    await new Promise<void>((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.out.end(() => (this.failed ? reject(this.failed) : resolve()));
    });
  }
}
