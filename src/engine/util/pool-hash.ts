/**
 * A stream's SHA-256, and optionally the file it goes to, on a thread of
 * libuv's pool (the addon's hash-write.c) instead of the caller's: a pull's
 * thread decompresses, parses and unpacks while its digests and its tar
 * blob are made beside it. update() resolves at once while less than a few
 * megabytes wait, so memory stays bounded; the chunks passed in must not be
 * changed afterwards (they are read later, on the pool).
 */
import { native, type HashState } from '../native.js';

const QUEUED_MAX = 1 << 20;

export class PoolHash {
  private readonly state: HashState;
  private readonly waiting: { done: Promise<void>; n: number }[] = [];
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
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
    this.queued += chunk.length;
    const done = this.tail.then(() => native().hashWriteAsync(this.state, chunk));
    done.catch(() => undefined); // reported to the next update(), or by digest()
    this.tail = done;
    this.waiting.push({ done, n: chunk.length });
    while (this.queued > QUEUED_MAX) {
      const first = this.waiting.shift()!;
      this.queued -= first.n;
      await first.done;
    }
  }

  /** Everything passed in hashed (and written); throws the first failure. */
  async settle(): Promise<void> {
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
