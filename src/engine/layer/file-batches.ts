/**
 * The small regular files of a layer being unpacked, gathered and created in
 * batches by the native addon on threads of libuv's pool (write-files.c),
 * while the caller's thread goes on reading the tar: the open, write, chown,
 * chmod, futimens and close of most of a layer's entries no longer take
 * turns with decompressing and parsing it. At most two batches are in flight
 * (this machine class has two cores); add() waits for the older one beyond
 * that. The caller drains before anything that may touch a file still in
 * flight (replacing a path, a hard link to it, a directory's times) and
 * settles before it gives up, so no file is written after it returns.
 */
import { native } from '../native.js';

/** A file larger than this is written by the caller as it streams (its bytes are not held). */
export const BATCH_FILE_MAX = 256 << 10;
const BATCH_BYTES = 512 << 10;
const BATCH_FILES = 512;
const IN_FLIGHT = 2;
const FIELDS = 7;

export interface BatchedFile {
  mode: number;
  uid: number;
  gid: number;
  chown: boolean;
  mtime: number;
}

const newBuffer = () => Buffer.allocUnsafe(BATCH_BYTES + BATCH_FILE_MAX);

export class FileBatches {
  /** Buffers of batches written, for the next ones (allocating one per batch keeps the collector busy). */
  private readonly free: Buffer[] = [];
  private buf: Buffer = newBuffer();
  private bytes = 0;
  private paths = '';
  private meta: number[] = [];
  private flying: Promise<void>[] = [];

  /** Whether a file may still be unwritten. */
  get dirty(): boolean {
    return this.meta.length > 0 || this.flying.length > 0;
  }

  /**
   * Queue the file at `path` (which must not exist; its parent must) with the bytes of `body`;
   * false, and nothing queued, when the body is not `size` bytes long.
   */
  async add(path: string, size: number, body: AsyncIterable<Buffer>, f: BatchedFile): Promise<boolean> {
    const start = this.bytes;
    let n = 0;
    for await (const c of body) {
      if (n + c.length > size) return false;
      this.buf.set(c, start + n);
      n += c.length;
    }
    if (n !== size) return false;
    this.bytes += n;
    this.paths += path + '\0';
    this.meta.push(n, f.mode, f.uid, f.gid, f.chown ? 1 : 0, f.mtime, f.mtime);
    if (this.bytes >= BATCH_BYTES || this.meta.length >= BATCH_FILES * FIELDS) await this.send();
    return true;
  }

  private async send(): Promise<void> {
    if (!this.meta.length) return;
    const buf = this.buf;
    const p = native().writeFilesAsync(this.paths, buf.subarray(0, this.bytes), Float64Array.from(this.meta));
    // its buffer is free again once the batch is written (a failure is reported by the await below, or by drain())
    p.then(
      () => this.free.push(buf),
      () => undefined,
    );
    this.flying.push(p);
    this.buf = this.free.pop() ?? newBuffer();
    this.bytes = 0;
    this.paths = '';
    this.meta = [];
    if (this.flying.length > IN_FLIGHT) await this.flying.shift();
  }

  /** Every queued file written; throws the first failure. */
  async drain(): Promise<void> {
    await this.send();
    const all = this.flying;
    this.flying = [];
    const results = await Promise.allSettled(all);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Nothing in flight any more, whatever became of it (after a failure elsewhere). */
  async settle(): Promise<void> {
    this.meta = [];
    this.paths = '';
    this.bytes = 0;
    const all = this.flying;
    this.flying = [];
    await Promise.allSettled(all);
  }
}
