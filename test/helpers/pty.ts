/**
 * A program in a pseudo-terminal whose master side the test holds
 * (test/helpers/pty-driver.py, python3's pty module): keys typed, every byte
 * the program sent to the terminal kept as it came, the screen read back
 * through a real terminal emulator (@xterm/headless), and a hangup: the
 * master closed, as when an SSH link drops or a tmux session is killed.
 * The exit status comes from the driver, the program's parent. Waits are for
 * what appears on the screen, never for time.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import xtermHeadless from '@xterm/headless';
import { until } from './engine.js';

const DRIVER = fileURLToPath(new URL('./pty-driver.py', import.meta.url));

export interface PtyExit {
  code: number | null;
  signal: number | null;
  core: boolean;
}

export class Pty {
  /** Everything the program wrote to its terminal. */
  readonly raw: Buffer[] = [];
  readonly exited: Promise<PtyExit>;
  private readonly term: InstanceType<typeof xtermHeadless.Terminal>;
  private readonly child: ChildProcessWithoutNullStreams;
  private errText = '';
  private pendingWrites = 0;

  constructor(argv: string[], o: { env?: Record<string, string>; cols?: number; rows?: number; cwd?: string } = {}) {
    const cols = o.cols ?? 120;
    const rows = o.rows ?? 40;
    this.term = new xtermHeadless.Terminal({ cols, rows, allowProposedApi: true });
    this.child = spawn('python3', [DRIVER, String(cols), String(rows), '--', ...argv], {
      env: { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', ...o.env },
      ...(o.cwd ? { cwd: o.cwd } : {}),
    });
    this.child.stdout.on('data', (d: Buffer) => {
      this.raw.push(d);
      this.pendingWrites++;
      this.term.write(d, () => this.pendingWrites--);
    });
    this.child.stderr.on('data', (d: Buffer) => (this.errText += d.toString()));
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', () => {
        const m = /^EXIT (.*)$/m.exec(this.errText);
        if (m) resolve(JSON.parse(m[1]!) as PtyExit);
        else reject(new Error(`the pty driver ended without a status: ${this.errText}`));
      });
    });
  }

  /** The program's process ID (the driver's only child). */
  programPid(): number {
    const children = readFileSync(`/proc/${this.child.pid}/task/${this.child.pid}/children`, 'utf8').trim();
    return Number(children.split(/\s+/)[0]);
  }

  /** The bytes the program wrote, as one buffer. */
  bytes(): Buffer {
    return Buffer.concat(this.raw);
  }

  /** The screen as text, one line per row (trailing blanks trimmed). */
  screen(): string {
    const b = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < this.term.rows; i++) lines.push(b.getLine(b.viewportY + i)?.translateToString(true) ?? '');
    return lines.join('\n');
  }

  /** Type: literal text, or the names Enter, Escape, Tab, Up, Down, C-x. */
  keys(...keys: string[]): void {
    const named: Record<string, string> = {
      Enter: '\r',
      Escape: '\x1b',
      Tab: '\t',
      Up: '\x1b[A',
      Down: '\x1b[B',
      Right: '\x1b[C',
      Left: '\x1b[D',
    };
    for (const k of keys) {
      const ctrl = /^C-([a-z])$/.exec(k);
      const input = ctrl ? String.fromCharCode(ctrl[1]!.charCodeAt(0) - 96) : (named[k] ?? k);
      this.child.stdin.write(`${JSON.stringify({ input })}\n`);
    }
  }

  async waitFor(what: string | RegExp | ((screen: string) => boolean), ms = 20_000): Promise<string> {
    const test =
      typeof what === 'function' ? what : (s: string) => (typeof what === 'string' ? s.includes(what) : what.test(s));
    try {
      await until(() => this.pendingWrites === 0 && test(this.screen()), ms, 25);
    } catch {
      throw new Error(`the screen never showed ${String(what)}; it shows:\n${this.screen()}`);
    }
    return this.screen();
  }

  /** The terminal goes away: the master side is closed. Resolves with the program's exit. */
  hangup(): Promise<PtyExit> {
    this.child.stdin.end(`${JSON.stringify({ hangup: true })}\n`);
    return this.exited;
  }

  /** Stop everything (after a test): hang up, and kill the driver if it hangs. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.stdin.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited.catch(() => undefined);
    clearTimeout(t);
  }
}
