/**
 * The app's keyboard: stdin as Ink reads it, but one key at a time.
 *
 * Ink passes a chunk of plain characters to its input handlers as one
 * "paste" ("jj" is not two presses of j). Over SSH, or when the app is busy,
 * several keys arrive in one read, so keys would be lost; and a key that
 * opens a dialog must be handled before the next key is routed. This stream
 * splits what the terminal sends into keys (escape sequences kept whole) and
 * offers them to Ink one per turn of the event loop, after React has
 * re-rendered for the one before.
 */
import { EventEmitter } from 'node:events';

/** Split terminal input into keys: CSI and SS3 sequences, ESC+key (meta), single characters. Pure. */
export function splitKeys(s: string): string[] {
  const keys: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] !== '\x1b') {
      const cp = s.codePointAt(i)!;
      const len = cp > 0xffff ? 2 : 1;
      keys.push(s.slice(i, i + len));
      i += len;
      continue;
    }
    let j = i + 1;
    if (s[j] === '\x1b' && (s[j + 1] === '[' || s[j + 1] === 'O'))
      j++; // ESC ESC [ A: meta + arrow
    else if (s[j] === '\x1b') {
      keys.push('\x1b'); // Esc pressed twice
      i = j;
      continue;
    }
    if (s[j] === '[') {
      j++;
      if (s[j] === '[') j++; // ESC [ [ A (linux console function keys)
      while (j < s.length && /[0-?]/.test(s[j]!)) j++;
      while (j < s.length && /[ -/]/.test(s[j]!)) j++;
      if (j < s.length) j++; // the final byte
    } else if (s[j] === 'O') {
      j = Math.min(s.length, j + 2);
    } else if (j < s.length) {
      j += (s.codePointAt(j) ?? 0) > 0xffff ? 2 : 1;
    }
    keys.push(s.slice(i, j));
    i = j;
  }
  return keys;
}

export class KeyInput extends EventEmitter {
  private readonly queue: string[] = [];
  private offered = false;
  private scheduled = false;
  private listening = false;
  readonly isTTY: boolean;

  constructor(private readonly real: NodeJS.ReadStream) {
    super();
    this.isTTY = !!real.isTTY;
    this.on('newListener', (event: string) => {
      if (event === 'readable' && !this.listening) this.listen(true);
    });
    this.on('removeListener', (event: string) => {
      if (event === 'readable' && this.listenerCount('readable') === 0) this.listen(false);
    });
  }

  get isRaw(): boolean {
    return !!this.real.isRaw;
  }

  setRawMode(on: boolean): this {
    if (this.real.isTTY) this.real.setRawMode(on);
    return this;
  }

  setEncoding(): this {
    return this;
  }

  ref(): this {
    this.real.ref();
    return this;
  }

  unref(): this {
    this.real.unref();
    return this;
  }

  /** One key per 'readable', then null until the next. */
  read(): string | null {
    if (!this.offered) return null;
    this.offered = false;
    const k = this.queue.shift() ?? null;
    this.schedule();
    return k;
  }

  private readonly onData = (chunk: Buffer | string) => {
    this.queue.push(...splitKeys(typeof chunk === 'string' ? chunk : chunk.toString('utf8')));
    this.schedule();
  };

  private schedule(): void {
    if (this.scheduled || !this.queue.length || !this.listening) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.queue.length || !this.listening) return;
      this.offered = true;
      this.emit('readable');
    });
  }

  private listen(on: boolean): void {
    this.listening = on;
    if (on) {
      this.real.setEncoding('utf8');
      this.real.on('data', this.onData);
      this.real.resume();
    } else {
      // keys typed for the app are not passed on to whatever gets the terminal next
      this.queue.length = 0;
      this.offered = false;
      this.real.off('data', this.onData);
      this.real.pause();
    }
  }
}
