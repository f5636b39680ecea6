/**
 * Showing a stream of docker JSON messages (pull, push; later build, load) as
 * docker's CLI does (moby pkg/jsonmessage DisplayJSONMessagesStream): on a
 * terminal one line per ID, redrawn in place with its progress bar; otherwise
 * plain lines, without the byte counts. Errors in the stream are thrown. The
 * lines themselves come from client/format/progress-lines.ts, which the app
 * draws too.
 */
import { BerthError, type ProgressMessage } from '../client/api.js';
import { hasBytes, isProgress, lineText, messageLine } from '../client/format/progress-lines.js';

export interface MessageDisplay {
  show(m: ProgressMessage): void;
}

/** Terminal text from a registry or an image is data: control characters are shown, not obeyed. */
const clean = (s: string) => s.replace(/[\x00-\x08\x0b-\x1f\x7f\x9b]/g, '?');

export function messageDisplay(out: NodeJS.WriteStream, isTerminal = !!out.isTTY): MessageDisplay {
  const lines = new Map<string, number>();
  let count = 0;
  const starts = new Map<string, number>();
  const width = () => out.columns || 200;
  const render = (m: ProgressMessage): string | null => {
    const bytes = hasBytes(m);
    if (!isTerminal && bytes) return null; // no byte counts in a pipe
    let start: number | undefined;
    if (isTerminal && bytes) {
      const key = `${m.id}|${m.status}`;
      if (!starts.has(key)) starts.set(key, Math.floor(Date.now() / 1000));
      start = starts.get(key)!;
    }
    return clean(lineText(messageLine(m, start), { width: width(), bytes: isTerminal }));
  };
  return {
    show(m) {
      if (m.error || m.errorDetail) throw new BerthError('IO', m.errorDetail?.message ?? m.error ?? 'failed');
      if (m.aux && !m.status && !m.id && m.stream === undefined) return;
      const text = render(m);
      if (text === null) return;
      if (!isTerminal || !isProgress(m)) {
        out.write(text.endsWith('\n') ? text : text + '\n');
        if (isTerminal) {
          lines.clear();
          count = 0;
        }
        return;
      }
      let line = lines.get(m.id!);
      if (line === undefined) {
        line = count++;
        lines.set(m.id!, line);
        out.write('\n');
      }
      const up = count - line;
      // up to the line, clear it, write, and back down (docker's cursor moves)
      out.write(`\x1b[${up}A\r\x1b[2K${text}\r\x1b[${up}B`);
    },
  };
}
