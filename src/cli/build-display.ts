/**
 * Drawing build progress on stderr as buildx does: `--progress plain`
 * writes lines as things happen; on a terminal (auto, tty) one frame is
 * redrawn in place at most ten times a second and left on screen at the
 * end; quiet draws nothing.
 */
import { BuildProgress } from '../client/format/build-progress.js';
import type { SolveStatus } from '../client/api.js';

export type ProgressMode = 'plain' | 'tty' | 'quiet';

export function progressMode(flag: string | undefined, quiet: boolean, isTTY: boolean): ProgressMode {
  if (quiet) return 'quiet';
  switch (flag ?? 'auto') {
    case 'auto':
      return isTTY ? 'tty' : 'plain';
    case 'plain':
    case 'tty':
    case 'quiet':
      return flag as ProgressMode;
    default:
      // docker's words
      throw new Error(
        `invalid value ${JSON.stringify(flag)} passed to --progress, valid values are: auto, plain, tty, quiet`,
      );
  }
}

export class BuildDisplay {
  readonly model = new BuildProgress();
  private shown = 0;
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    readonly mode: ProgressMode,
  ) {
    if (mode === 'tty') {
      this.timer = setInterval(() => this.draw(false), 100);
      this.timer.unref();
    }
  }

  update(s: SolveStatus): void {
    const lines = this.model.apply(s);
    if (this.mode === 'plain') for (const l of lines) this.out.write(l + '\n');
    else if (this.mode === 'tty') this.dirty = true;
  }

  private draw(finished: boolean): void {
    if (
      this.mode !== 'tty' ||
      (!this.dirty && !finished && !this.model.vertexes.some((v) => v.completed === undefined))
    )
      return;
    this.dirty = false;
    const width = Math.max(this.out.columns || 80, 40);
    const frame = this.model.frame(Date.now(), width, finished);
    let s = this.shown ? `\x1b[${this.shown}A` : '';
    for (const l of frame) s += `${l}\x1b[K\n`;
    if (frame.length < this.shown) s += '\x1b[J';
    this.out.write(s);
    this.shown = frame.length;
  }

  /** Stop redrawing; leave the last frame (plain: a blank line after the last vertex). */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.mode === 'tty') this.draw(true);
    for (const w of this.model.warnings) if (this.mode !== 'quiet') this.out.write(`${w}\n`);
  }
}
