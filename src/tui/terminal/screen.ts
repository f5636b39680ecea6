/**
 * The terminal around the app: the alternate screen (so the shell's screen
 * comes back untouched on quit), the cursor, raw mode. `restore` is safe to
 * call more than once and from a signal handler or a crash.
 */
export const ENTER_ALT_SCREEN = '\x1b[?1049h';
export const LEAVE_ALT_SCREEN = '\x1b[?1049l';
export const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';
export const SHOW_CURSOR = '\x1b[?25h';
export const HIDE_CURSOR = '\x1b[?25l';
/** Reset colours and attributes left over from a partial write. */
export const RESET_ATTRIBUTES = '\x1b[0m';

export class Screen {
  private active = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly input: NodeJS.ReadStream,
    /** How bytes reach the terminal (the app's stray-output capture keeps the real write here). */
    private readonly send: (s: string) => void = (s) => void out.write(s),
  ) {}

  get isActive(): boolean {
    return this.active;
  }

  /** Switch to the alternate screen, cleared, cursor hidden. */
  enter(): void {
    this.write(ENTER_ALT_SCREEN + CLEAR_SCREEN + HIDE_CURSOR);
    this.active = true;
  }

  /** Back to the shell's screen: attributes reset, cursor shown, raw mode off. */
  restore(): void {
    if (!this.active) return;
    this.active = false;
    if (this.out.destroyed) return; // the terminal went away (a hangup): nothing to restore
    try {
      if (this.input.isTTY && this.input.isRaw) this.input.setRawMode(false);
    } catch {
      // the terminal may be gone (SIGHUP)
    }
    this.write(RESET_ATTRIBUTES + SHOW_CURSOR + LEAVE_ALT_SCREEN);
  }

  /** Clear the alternate screen (before drawing everything again). */
  clear(): void {
    this.write(CLEAR_SCREEN);
  }

  private write(s: string): void {
    try {
      this.send(s);
    } catch {
      // a closed terminal: nothing to restore
    }
  }
}
