/**
 * The store's file system flushed in the background while a pull writes:
 * after every `step` downloaded bytes, a syncfs on a thread of libuv's pool
 * (one at a time), so that writing back the trees and blobs goes on beside
 * the download and the unpack instead of all at once in the commit's flush
 * (archive/commit-images.ts), which still makes everything durable before
 * the image is visible. A background flush that fails is left to that last
 * flush to report.
 */
import { native } from '../native.js';

export class BackgroundFlush {
  private added = 0;
  private lastStart = 0;
  private running: Promise<void> | null = null;
  /** Flushes started so far. */
  started = 0;

  constructor(
    private readonly dir: string,
    private readonly step = 32 << 20,
  ) {}

  /** n more bytes were downloaded (and are being written). */
  add(n: number): void {
    this.added += n;
    if (this.running || this.added - this.lastStart < this.step) return;
    this.lastStart = this.added;
    this.started++;
    let flush: Promise<void>;
    try {
      flush = native().syncfsAsync(this.dir);
    } catch {
      return;
    }
    this.running = flush.catch(() => undefined).finally(() => (this.running = null));
  }

  /** The flush under way, if any, finished. */
  async settle(): Promise<void> {
    await this.running;
  }
}
