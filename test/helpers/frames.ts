/**
 * What the app may send to its terminal while it owns the screen, as a
 * grammar over the raw bytes (src/tui/terminal/screen.ts and
 * frame-writer.ts write exactly these):
 * - taking the screen: ESC[?1049h, then ESC[2J ESC[3J ESC[H and ESC[?25l;
 * - clearing before a whole frame: ESC[2J ESC[H;
 * - a frame: ESC[?2026h, then for each changed row ESC[row;1H, the row's
 *   text (printable characters and SGR colour sequences only), ESC[0m and
 *   optionally ESC[K, then ESC[?2026l;
 * - giving the screen back: ESC[0m ESC[?25h ESC[?1049l.
 * Between giving the screen back and taking it again (an exec or an attach
 * has the terminal, or the app has ended) anything goes. A single byte of
 * anything else while the app owns the screen (a warning, a stray
 * console.error) breaks the grammar.
 */
const ENTER = '\x1b[?1049h';
const LEAVE = '\x1b[?1049l';

const ROW_TEXT = String.raw`(?:[^\x00-\x1f\x7f]|\x1b\[[0-9;:]*m)*`;
const TOKEN = new RegExp(
  [
    String.raw`\x1b\[2J\x1b\[3J\x1b\[H`,
    String.raw`\x1b\[\?25l`,
    String.raw`\x1b\[2J\x1b\[H`,
    String.raw`\x1b\[\?2026h(?:\x1b\[\d+;1H${ROW_TEXT}\x1b\[0m(?:\x1b\[K)?)*\x1b\[\?2026l`,
    String.raw`\x1b\[0m\x1b\[\?25h`,
  ].join('|'),
  'y',
);

export interface FrameCheck {
  /** Stretches of the stream during which the app owned the screen. */
  owned: number;
  /** Frames (synchronized-output blocks) seen in them. */
  frames: number;
  /** What was not frame output, with a little context (empty when all of it was). */
  strays: string[];
}

/** Check the raw bytes a program sent to its terminal against the app's grammar. */
export function checkFrames(raw: Buffer | string): FrameCheck {
  const s = typeof raw === 'string' ? raw : raw.toString('utf8');
  const out: FrameCheck = { owned: 0, frames: 0, strays: [] };
  let at = s.indexOf(ENTER);
  while (at >= 0) {
    out.owned++;
    const end = s.indexOf(LEAVE, at);
    const segment = s.slice(at + ENTER.length, end < 0 ? s.length : end);
    let i = 0;
    while (i < segment.length) {
      TOKEN.lastIndex = i;
      const m = TOKEN.exec(segment);
      if (!m) {
        out.strays.push(JSON.stringify(segment.slice(Math.max(0, i - 40), i + 160)));
        // resynchronise at the next frame or screen sequence
        const next = segment.indexOf('\x1b[', i + 1);
        i = next < 0 ? segment.length : next;
        continue;
      }
      if (m[0].startsWith('\x1b[?2026h')) out.frames++;
      i += m[0].length;
    }
    if (end < 0) break;
    at = s.indexOf(ENTER, end);
  }
  return out;
}
