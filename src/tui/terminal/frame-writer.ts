/**
 * The app's renderer to the terminal. Ink hands it whole frames (Ink runs in
 * its `debug` mode, which writes each frame as plain text and nothing else);
 * this writes only the lines that changed since the last frame, each at its
 * own row with absolute cursor moves, inside a synchronized-output block.
 *
 * Why not Ink's own renderers: Ink 6's incremental mode moves the cursor up
 * one line too few when the frame ends in a newline (every frame shorter
 * than the screen), so each update scrolls the screen by a line; its
 * standard mode erases and rewrites the whole frame on every update, and
 * a frame as tall as the screen makes it clear the terminal each time.
 * Absolute positioning also lets the app use the last row of the screen.
 *
 * Writes are coalesced to one per turn of the event loop. An idle app sends
 * nothing; a key that moves the selection sends the few lines it changed.
 */
import { EventEmitter } from 'node:events';
import stringWidth from 'string-width';

const BEGIN_SYNC = '\x1b[?2026h';
const END_SYNC = '\x1b[?2026l';
const RESET = '\x1b[0m';
const ERASE_LINE_END = '\x1b[K';
const CLEAR = '\x1b[2J\x1b[H';

/** The escape sequences that draw `next` over `prev` (empty when nothing changed). Pure. */
export function frameDiff(prev: readonly string[], next: readonly string[], columns: number, rows: number): string {
  let out = '';
  const n = Math.min(rows, Math.max(prev.length, next.length));
  for (let i = 0; i < n; i++) {
    const line = next[i] ?? '';
    if (line === prev[i] || (line === '' && prev[i] === undefined)) continue;
    // erasing to the end of a full-width line would take its last character with it
    const erase = stringWidth(line) < columns ? ERASE_LINE_END : '';
    out += `\x1b[${i + 1};1H${line}${RESET}${erase}`;
  }
  return out;
}

export class FrameWriter extends EventEmitter {
  private prev: string[] = [];
  private pending: string | null = null;
  private scheduled = false;
  private active = true;
  /** Bytes sent to the terminal (the benchmark reads it). */
  bytesWritten = 0;
  readonly isTTY = true;
  readonly writable = true;
  readonly destroyed = false;
  readonly writableEnded = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    /** How bytes reach the terminal (the app's stray-output capture keeps the real write here). */
    private readonly sendRaw: (s: string) => void = (s) => void out.write(s),
  ) {
    super();
    out.on('resize', () => {
      // the terminal may have reflowed what was on it: draw everything again
      this.clear();
      this.emit('resize');
    });
  }

  get columns(): number {
    return this.out.columns || 80;
  }

  get rows(): number {
    return this.out.rows || 24;
  }

  write(data: string | Uint8Array, cb?: (err?: Error | null) => void): boolean {
    const s = typeof data === 'string' ? data : Buffer.from(data).toString();
    if (s && this.active) {
      this.pending = s;
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    }
    cb?.();
    return true;
  }

  /** Draw the pending frame now. */
  flush(): void {
    this.scheduled = false;
    const frame = this.pending;
    this.pending = null;
    if (frame === null) return;
    const next = frame.split('\n');
    const diff = frameDiff(this.prev, next, this.columns, this.rows);
    this.prev = next;
    if (diff) this.send(BEGIN_SYNC + diff + END_SYNC);
  }

  /** Stop drawing (the app is unmounted: its last frames must not reach the shell's screen). */
  pause(): void {
    this.active = false;
    this.pending = null;
  }

  /** Draw again, from a cleared screen. */
  resume(): void {
    this.active = true;
    this.clear();
  }

  /** Clear the screen and forget what is on it: the next frame is drawn whole. */
  clear(): void {
    this.prev = [];
    this.send(CLEAR);
  }

  private send(s: string): void {
    this.bytesWritten += Buffer.byteLength(s);
    if (this.out.destroyed) return; // the terminal went away
    try {
      this.sendRaw(s);
    } catch {
      // the terminal is gone
    }
  }
}
