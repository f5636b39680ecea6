/**
 * While the app owns the screen, nothing but its frames may reach the
 * terminal: a line on stderr (a Node warning, a library's console.error, a
 * stray console.log) would scroll the full-screen app by a line. `capture`
 * sends everything written through process.stdout/stderr (console
 * included) and every process warning (Node's default printer of the
 * 'warning' event is taken off meanwhile) to a log file instead, and tells
 * the app so it can say so in its footer; `release` puts the streams and
 * Node's printer back (quit, and the hand-over to exec and attach, whose
 * output belongs on the real terminal).
 *
 * The app's own bytes go to the terminal through `write`, the stream's real
 * write taken before any capture.
 *
 * The log is appended to, one line per entry (time, pid, where it came
 * from); it is opened on the first entry only, starts over (the old one kept
 * as `.1`) when it has grown past LOG_LIMIT, and a session writes at most
 * LOG_LIMIT bytes of it.
 */
import { closeSync, openSync, renameSync, statSync, writeSync } from 'node:fs';

export const LOG_LIMIT = 1 << 20;

type Listener = (...args: unknown[]) => void;
type Streams = Record<'stdout' | 'stderr', NodeJS.WriteStream>;

export class StrayOutput {
  /** Entries logged by this process. */
  entries = 0;
  private fd: number | null = null;
  private bytes = 0;
  private captured = false;
  private readonly saved = new Map<NodeJS.WriteStream, PropertyDescriptor | undefined>();
  private printers: Listener[] = [];
  private told = false;
  private readonly realWrite: (s: string) => boolean;

  constructor(
    readonly path: string,
    /** Called (at most once a turn of the event loop) after something was logged. */
    private readonly onLogged: (entries: number) => void,
    private readonly streams: Streams = { stdout: process.stdout, stderr: process.stderr },
  ) {
    const out = streams.stdout;
    const write = out.write;
    this.realWrite = (s) => write.call(out, s);
  }

  get isCapturing(): boolean {
    return this.captured;
  }

  /** The app's own output to the terminal (frames, screen switches), whatever is captured. */
  readonly write = (s: string): void => {
    this.realWrite(s);
  };

  capture(): void {
    if (this.captured) return;
    this.captured = true;
    for (const [name, stream] of Object.entries(this.streams) as [keyof Streams, NodeJS.WriteStream][]) {
      this.saved.set(stream, Object.getOwnPropertyDescriptor(stream, 'write'));
      const logged = (chunk: unknown, enc?: unknown, cb?: unknown): boolean => {
        const done = typeof enc === 'function' ? enc : cb;
        this.log(name, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        if (typeof done === 'function') process.nextTick(done as () => void);
        return true;
      };
      Object.defineProperty(stream, 'write', { value: logged, writable: true, configurable: true });
    }
    this.printers = process.listeners('warning') as Listener[];
    for (const l of this.printers) process.off('warning', l);
    process.on('warning', this.onWarning);
  }

  release(): void {
    if (!this.captured) return;
    this.captured = false;
    for (const [stream, own] of this.saved) {
      if (own) Object.defineProperty(stream, 'write', own);
      else delete (stream as { write?: unknown }).write;
    }
    this.saved.clear();
    process.off('warning', this.onWarning);
    for (const l of this.printers) process.on('warning', l);
    this.printers = [];
  }

  /** Close the log (the process is ending). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private readonly onWarning = (w: Error) => {
    const stack = w.stack?.split('\n').slice(1).join('\n');
    this.log('warning', `${w.name}: ${w.message}${stack ? `\n${stack}` : ''}`);
  };

  /** Append one entry. Never throws, never writes to the terminal. */
  log(source: string, text: string): void {
    const body = text.replace(/\n+$/, '');
    if (!body) return;
    this.entries++;
    const line = `${new Date().toISOString()} [${process.pid}] ${source}: ${body.replace(/\n/g, '\n    ')}\n`;
    try {
      this.fd ??= this.open();
      if (this.bytes < LOG_LIMIT) {
        const size = Buffer.byteLength(line);
        const keep = this.bytes + size <= LOG_LIMIT;
        writeSync(this.fd, keep ? line : `... (the rest of this session's output is not kept)\n`);
        this.bytes = keep ? this.bytes + size : LOG_LIMIT;
      }
    } catch {
      // no log (a read-only or missing runtime directory): the footer still counts it
    }
    if (!this.told) {
      this.told = true;
      setImmediate(() => {
        this.told = false;
        this.onLogged(this.entries);
      });
    }
  }

  private open(): number {
    try {
      if (statSync(this.path).size > LOG_LIMIT) renameSync(this.path, `${this.path}.1`);
    } catch {
      // no log yet
    }
    return openSync(this.path, 'a', 0o600);
  }
}
