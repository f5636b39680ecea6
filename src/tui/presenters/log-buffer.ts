/**
 * A bounded log buffer: the newest `capacity` lines of a container's log
 * (or of a project's containers, each line with its source),
 * each with a sequence number that keeps counting as old lines fall out (so
 * a view anchored on a line stays on it while the log grows), and the pure
 * layout of the lines that fit a panel (wrapped, newest at the bottom).
 */
import type { LogLine } from '../../client/api.js';
import { cleanText } from './clean-text.js';

export interface LogEntry {
  seq: number;
  /** Which container the line is from (merged logs; 0 for a single container's). */
  source: number;
  stream: 'stdout' | 'stderr';
  time: string;
  text: string;
}

/** Log text made safe to draw: no escapes or control characters, tabs as spaces. */
export function cleanLogText(s: string): string {
  return cleanText(s.replace(/\n$/, ''));
}

export class LogRing {
  private readonly buf: (LogEntry | undefined)[];
  private count = 0;
  /** Sequence number the next line gets. */
  next = 0;
  /** The last line of each source whose end has not come yet (a partial write). */
  private readonly partial = new Map<number, LogEntry>();

  constructor(readonly capacity: number) {
    this.buf = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Sequence number of the oldest line kept. */
  get first(): number {
    return this.next - this.count;
  }

  push(l: LogLine, source = 0): void {
    const text = cleanLogText(l.text);
    const open = this.partial.get(source);
    let e: LogEntry;
    if (open && open.stream === l.stream && this.at(open.seq) === open) {
      e = open;
      e.text += text;
    } else {
      e = { seq: this.next, source, stream: l.stream, time: l.time, text };
      this.buf[this.next % this.capacity] = e;
      this.next++;
      if (this.count < this.capacity) this.count++;
    }
    if (l.text.endsWith('\n')) this.partial.delete(source);
    else this.partial.set(source, e);
  }

  at(seq: number): LogEntry | undefined {
    if (seq < this.first || seq >= this.next) return undefined;
    return this.buf[seq % this.capacity];
  }

  /** The nearest line at or before `from` (searching backwards) or after it, whose text has `term`. */
  find(term: string, from: number, dir: 1 | -1): number | null {
    if (!term) return null;
    const t = term.toLowerCase();
    for (let s = from; s >= this.first && s < this.next; s += dir) {
      if (this.at(s)!.text.toLowerCase().includes(t)) return s;
    }
    return null;
  }
}

export interface LogRow {
  seq: number;
  source: number;
  stream: 'stdout' | 'stderr';
  /** Timestamp prefix (only on the first row of a line). */
  prefix: string;
  /** The `service-N | ` tag of merged logs (only on the first row of a line); '' otherwise. */
  tag: string;
  text: string;
}

/** Cut a string into pieces of at most `w` characters (wide characters are rare in logs; they may overflow by one cell). */
function wrap(s: string, w: number): string[] {
  if (w <= 0) return [''];
  if (s.length <= w) return [s];
  const out: string[] = [];
  const cps = [...s];
  for (let i = 0; i < cps.length; i += w) out.push(cps.slice(i, i + w).join(''));
  return out;
}

/**
 * The rows of a panel `height` rows tall whose last line is `bottom`
 * (a sequence number), each line wrapped to `width`. With `tags` (merged
 * logs), each line starts with its source's tag and a bar, as
 * docker-compose's `web-1  | ` (docker-compose puts the timestamp after it).
 */
export function layoutLog(
  ring: LogRing,
  bottom: number,
  width: number,
  height: number,
  timestamps: boolean,
  tags?: readonly string[],
): LogRow[] {
  const rows: LogRow[] = [];
  for (let seq = Math.min(bottom, ring.next - 1); seq >= ring.first && rows.length < height; seq--) {
    const e = ring.at(seq)!;
    const prefix = timestamps ? e.time + ' ' : '';
    const tag = tags ? `${tags[e.source] ?? ''} | ` : '';
    const pieces = wrap(e.text, Math.max(1, width - prefix.length - tag.length));
    for (let i = pieces.length - 1; i >= 0 && rows.length < height; i--) {
      const first = i === 0;
      rows.push({
        seq,
        source: e.source,
        stream: e.stream,
        prefix: first ? prefix : ' '.repeat(prefix.length),
        tag: first ? tag : tag && `${' '.repeat(tag.length - 2)}| `,
        text: pieces[i]!,
      });
    }
  }
  return rows.reverse();
}
