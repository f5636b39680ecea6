/**
 * A real terminal for CLI tests: a command running in a detached tmux session
 * of a private tmux server, driven with send-keys, read with capture-pane,
 * resized with resize-window. Waits are for what appears on the screen.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EXIT = '__exit_status__';

export class Terminal {
  private constructor(private readonly server: string) {}

  /** Start argv (with env) in a cols x rows terminal; its exit status shows as a marker line when it ends. */
  static async start(
    argv: string[],
    o: { env?: Record<string, string>; cols?: number; rows?: number } = {},
  ): Promise<Terminal> {
    const server = `berth-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const env = Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${quote(v)}`);
    const script = `env ${env.join(' ')} ${argv.map(quote).join(' ')}; echo ${EXIT}$?; sleep 600`;
    await run('tmux', [
      '-L',
      server,
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      't',
      '-x',
      String(o.cols ?? 80),
      '-y',
      String(o.rows ?? 24),
      script,
    ]);
    return new Terminal(server);
  }

  private tmux(...args: string[]) {
    return run('tmux', ['-L', this.server, ...args]);
  }

  /** Type text (sent literally), then optionally Enter. */
  async type(text: string, enter = true): Promise<void> {
    await this.tmux('send-keys', '-t', 't', '-l', text);
    if (enter) await this.tmux('send-keys', '-t', 't', 'Enter');
  }

  /** Send tmux key names (C-p, C-q, ...). */
  async keys(...names: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', 't', ...names);
  }

  async screen(): Promise<string> {
    return (await this.tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 't')).stdout;
  }

  /** Wait until the screen matches; returns the screen. */
  async waitFor(re: RegExp, ms = 15_000): Promise<string> {
    const end = Date.now() + ms;
    let last = '';
    while (Date.now() < end) {
      last = await this.screen();
      if (re.test(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the terminal never showed ${re}; it shows:\n${last}`);
  }

  async resize(cols: number, rows: number): Promise<void> {
    await this.tmux('resize-window', '-t', 't', '-x', String(cols), '-y', String(rows));
  }

  /** The command's exit status, once it has ended. */
  async exitCode(ms = 15_000): Promise<number> {
    const s = await this.waitFor(new RegExp(`${EXIT}\\d+`), ms);
    return Number(new RegExp(`${EXIT}(\\d+)`).exec(s)![1]);
  }

  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
  }
}
