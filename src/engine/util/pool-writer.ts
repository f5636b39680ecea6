/**
 * Sequential writes to a file done on libuv's pool, a few at a time, so
 * that the thread producing the bytes (a pull's main thread: it also
 * receives, hashes and parses them) does not spend its time copying them
 * into the page cache. Each chunk goes at its own offset, so several can be
 * in flight; a chunk must not change until drain() has returned. The first
 * failure is thrown by the next write() or by drain().
 */
import { write } from 'node:fs';

function writeAll(fd: number, buf: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (off: number) =>
      write(fd, buf, off, buf.length - off, position + off, (e, n) => {
        if (e) reject(e);
        else if (off + n < buf.length) step(off + n);
        else resolve();
      });
    step(0);
  });
}

export class PoolWriter {
  private readonly inflight = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly fd: number,
    /** Writes in flight at most (each holds its chunk). */
    private readonly depth = 4,
    /** Where the next chunk goes. */
    public position = 0,
  ) {}

  /** Start writing chunk after the previous ones; resolves once fewer than `depth` writes are in flight. */
  async write(chunk: Buffer): Promise<void> {
    this.check();
    const p: Promise<void> = writeAll(this.fd, chunk, this.position).then(
      () => void this.inflight.delete(p),
      (e: unknown) => {
        this.failure ??= { error: e };
        this.inflight.delete(p);
      },
    );
    this.position += chunk.length;
    this.inflight.add(p);
    while (this.inflight.size >= this.depth) await Promise.race(this.inflight);
    this.check();
  }

  /** Whether writes are still in flight. */
  get busy(): boolean {
    return this.inflight.size > 0;
  }

  /** Every write started so far has finished; throws the first failure. */
  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.race(this.inflight);
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure.error;
  }
}
