/**
 * Driving the real app in tmux: a private tmux server per test file, a
 * shell in a window of a chosen size, keys sent as a user types them, the
 * screen read back with capture-pane. Waits are for text on the screen,
 * never for time.
 */
import { execFileSync } from 'node:child_process';
import { until } from './engine.js';

export class Tmux {
  private readonly socket = `berth-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly target = 'app';

  constructor(
    private readonly columns = 120,
    private readonly rows = 40,
  ) {}

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** A plain shell (no rc files, a fixed prompt) with the given environment. */
  start(env: Record<string, string>): void {
    const vars = Object.entries({ PS1: 'PROMPT$ ', TERM: 'xterm-256color', LANG: 'C.UTF-8', ...env }).map(
      ([k, v]) => `${k}=${v}`,
    );
    this.tmux(
      'new-session',
      '-d',
      '-s',
      this.target,
      '-x',
      String(this.columns),
      '-y',
      String(this.rows),
      'env',
      ...vars,
      'bash',
      '--norc',
      '--noprofile',
    );
    this.tmux('set-option', '-t', this.target, 'status', 'off');
  }

  /** Type a line into the shell. */
  line(text: string): void {
    this.tmux('send-keys', '-t', this.target, '-l', text);
    this.tmux('send-keys', '-t', this.target, 'Enter');
  }

  /** Keys by tmux name (Escape, Enter, Tab, C-c, Up) or literal characters. */
  keys(...keys: string[]): void {
    for (const k of keys) {
      if (/^(Escape|Enter|Tab|BTab|Up|Down|Left|Right|PageUp|PageDown|Space|BSpace|C-.)$/.test(k))
        this.tmux('send-keys', '-t', this.target, k);
      else this.tmux('send-keys', '-t', this.target, '-l', k);
    }
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.target);
  }

  async waitFor(what: string | RegExp | ((screen: string) => boolean), ms = 20_000): Promise<string> {
    const test =
      typeof what === 'function' ? what : (s: string) => (typeof what === 'string' ? s.includes(what) : what.test(s));
    try {
      await until(() => test(this.screen()), ms, 50);
    } catch {
      throw new Error(`the screen never showed ${String(what)}; it shows:\n${this.screen()}`);
    }
    return this.screen();
  }

  resize(columns: number, rows: number): void {
    this.tmux('resize-window', '-t', this.target, '-x', String(columns), '-y', String(rows));
  }

  /** PID of the process running in the pane's foreground (the app while it runs). */
  panePid(): number {
    return Number(this.tmux('display-message', '-p', '-t', this.target, '#{pane_pid}').trim());
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}
