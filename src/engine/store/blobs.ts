/**
 * Content-addressed blobs: <root>/blobs/sha256/<hex>. A blob is written to a
 * scratch file, hashed on the way, fsynced, and renamed into place, so a blob
 * path either does not exist or holds exactly the bytes of its digest.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import type { Layout } from './paths.js';
import { scratchName } from './scratch.js';

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function hexOf(digest: string): string {
  if (!DIGEST_RE.test(digest)) throw new BerthError('INVALID_ARGUMENT', `invalid digest "${digest}"`);
  return digest.slice(7);
}

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export class BlobStore {
  constructor(private readonly layout: Layout) {}

  path(digest: string): string {
    return this.layout.blob(hexOf(digest));
  }

  has(digest: string): boolean {
    return existsSync(this.path(digest));
  }

  size(digest: string): number {
    return statSync(this.path(digest)).size;
  }

  read(digest: string): Buffer {
    try {
      return readFileSync(this.path(digest));
    } catch (e) {
      throw new BerthError('NOT_FOUND', `blob ${digest} is missing from the store`, { cause: e });
    }
  }

  readJson<T>(digest: string): T {
    return JSON.parse(this.read(digest).toString('utf8')) as T;
  }

  /** Move a blob into a trash directory (deleted by the caller after its transaction). */
  trash(digest: string, trashDir: string): void {
    try {
      renameSync(this.path(digest), join(trashDir, `blob-${hexOf(digest)}`));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  /** Store bytes whose digest is computed here; returns the digest. */
  put(data: Buffer): string {
    const digest = sha256(data);
    if (this.has(digest)) return digest;
    const w = this.writer();
    w.write(data);
    w.commit(digest);
    return digest;
  }

  /** A scratch file that becomes a blob on commit(); abort() removes it. */
  writer(): BlobWriter {
    mkdirSync(this.layout.tmpDir, { recursive: true });
    mkdirSync(this.layout.blobsDir, { recursive: true });
    return new BlobWriter(join(this.layout.tmpDir, scratchName('blob')), this);
  }

  /** Like writer(), at a chosen scratch path (same file system as the store). */
  writerAt(tmpPath: string): BlobWriter {
    mkdirSync(this.layout.blobsDir, { recursive: true });
    return new BlobWriter(tmpPath, this);
  }

  /** Move a finished scratch file into place under its digest. */
  adopt(tmpPath: string, digest: string): void {
    const dest = this.path(digest);
    if (existsSync(dest)) {
      unlinkSync(tmpPath);
      return;
    }
    renameSync(tmpPath, dest);
  }
}

export class BlobWriter {
  private fd: number | null;
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(
    readonly tmpPath: string,
    private readonly store: BlobStore,
  ) {
    this.fd = openSync(tmpPath, 'wx', 0o644);
  }

  write(chunk: Buffer): void {
    if (this.fd === null) throw new BerthError('IO', 'blob writer already closed');
    this.hash.update(chunk);
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
    this.bytes += chunk.length;
  }

  digest(): string {
    return 'sha256:' + this.hash.copy().digest('hex');
  }

  /**
   * fsync on a thread of libuv's pool while the caller's thread goes on;
   * commit() after it finds nothing left to write. Nothing else may close
   * the writer until it has settled.
   */
  async flush(): Promise<void> {
    const fd = this.fd;
    if (fd === null) return;
    await new Promise<void>((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
  }

  /** Close (optionally fsync) without moving; the file stays at tmpPath. */
  close(sync = true): void {
    if (this.fd === null) return;
    if (sync) fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }

  /** fsync, close and rename into place; verifies the digest when given. */
  commit(expected?: string): string {
    const digest = this.digest();
    this.close(true);
    if (expected && expected !== digest) {
      unlinkSync(this.tmpPath);
      throw new BerthError('DIGEST_MISMATCH', `blob digest mismatch: expected ${expected}, got ${digest}`);
    }
    this.store.adopt(this.tmpPath, digest);
    return digest;
  }

  abort(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    try {
      unlinkSync(this.tmpPath);
    } catch {
      /* already gone */
    }
  }
}
