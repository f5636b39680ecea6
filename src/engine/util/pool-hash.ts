/**
 * A stream's SHA-256, and optionally the file it goes to, on a thread of
 * libuv's pool (the addon's hash-write.c) instead of the caller's: a pull's
 * thread decompresses, parses and unpacks while its digests and its tar
 * blob are made beside it. Chunks are handed over a megabyte at a time (one
 * trip to the pool each: one per chunk cost as much CPU again as the
 * hashing saved); update() resolves at once while less than a few megabytes
 * wait, so memory stays bounded. The chunks passed in must not be changed
 * afterwards (they are read later, on the pool).
 */
import { native, type HashState } from '../native.js';

/** Bytes gathered before they go to the pool, and the most that may wait. */
const BATCH = 512 << 10;
const QUEUED_MAX = 1 << 20;

export class PoolHash {
  private readonly state: HashState;
  private readonly waiting: { done: Promise<void>; n: number }[] = [];
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  /** Bytes passed to update() so far. */
  bytes = 0;

  /** fd: the file each chunk is also written to (at its offset), or -1. The caller closes it. */
  constructor(fd = -1) {
    this.state = native().hashWriter(fd);
  }

  /** Hash (and write) `chunk` after what came before. Throws what an earlier write failed with. */
  async update(chunk: Buffer): Promise<void> {
    if (!chunk.length) return;
    this.bytes += chunk.length;
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes < BATCH) return;
    this.send();
    while (this.queued > QUEUED_MAX) {
      const first = this.waiting.shift()!;
      this.queued -= first.n;
      await first.done;
    }
  }

  private send(): void {
    if (!this.batchBytes) return;
    const bufs = this.batch;
    const n = this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    this.queued += n;
    const done = this.tail.then(() => native().hashWriteAsync(this.state, bufs));
    done.catch(() => undefined); // reported to the next update(), or by settle()
    this.tail = done;
    this.waiting.push({ done, n });
  }

  /** Everything passed in hashed (and written); throws the first failure. */
  async settle(): Promise<void> {
    this.send();
    this.waiting.length = 0;
    this.queued = 0;
    await this.tail;
  }

  /** sha256:<hex> of every byte passed in. */
  async digest(): Promise<string> {
    await this.settle();
    return 'sha256:' + native().hashDigest(this.state).toString('hex');
  }
}
