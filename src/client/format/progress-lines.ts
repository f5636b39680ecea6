/**
 * docker's progress lines (moby pkg/jsonmessage DisplayJSONMessagesStream)
 * as pure data, for every display of the one typed progress stream: the
 * CLI redraws them in place with cursor moves, the app draws them in its
 * dialog. A message with an ID and progress updates that ID's line; any
 * other message adds a line and forgets the IDs (so `pull -a` starts each
 * tag's layers afresh), as docker does. The text is raw: each display
 * cleans it of control characters its own way.
 */
import type { ProgressMessage } from '../api.js';
import { progressString } from './progress-bar.js';

export interface ProgressLine {
  /** A layer's short ID, a tag. */
  id?: string;
  status: string;
  current?: number;
  total?: number;
  /** Unix seconds this line's status began (docker's time left). */
  start?: number;
  /** The bar as the producer drew it (a remote engine may); else drawn here. */
  progress?: string;
  stream?: string;
}

export interface ProgressLines {
  readonly lines: readonly ProgressLine[];
  /** Which line each ID updates, until a line without progress comes. */
  readonly ids: Readonly<Record<string, number>>;
  /** Lines dropped from the top to keep at most `max`. */
  readonly dropped: number;
}

export const emptyProgress = (): ProgressLines => ({ lines: [], ids: {}, dropped: 0 });

/** Whether a message is a progress line (docker moves the cursor to its ID's line). */
export const isProgress = (m: ProgressMessage): boolean => !!m.id && !!m.progressDetail;

/** Whether the message carries byte counts (a pipe shows none). */
export function hasBytes(m: ProgressMessage): boolean {
  const d = m.progressDetail;
  return !!d && ((d.current ?? 0) > 0 || (d.total ?? 0) > 0);
}

/** The line a message draws. `start`: when its status began, for the time left. */
export function messageLine(m: ProgressMessage, start?: number): ProgressLine {
  const d = m.progressDetail;
  return {
    ...(m.id ? { id: m.id } : {}),
    status: m.status ?? '',
    ...(d?.current !== undefined ? { current: d.current } : {}),
    ...(d?.total !== undefined ? { total: d.total } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(m.progress ? { progress: m.progress } : {}),
    ...(m.stream !== undefined ? { stream: m.stream } : {}),
  };
}

/**
 * The lines after one more message (results and errors draw nothing: the
 * stream's end says those). At most `max` lines are kept, the oldest going.
 */
export function addMessage(
  p: ProgressLines,
  m: ProgressMessage,
  nowSeconds = Date.now() / 1000,
  max = 500,
): ProgressLines {
  if (m.error || m.errorDetail) return p;
  if (m.aux && !m.status && !m.id && m.stream === undefined) return p;
  if (isProgress(m)) {
    const at = p.ids[m.id!];
    if (at !== undefined && p.lines[at - p.dropped]) {
      const i = at - p.dropped;
      const old = p.lines[i]!;
      const start = old.status === (m.status ?? '') && old.start !== undefined ? old.start : Math.floor(nowSeconds);
      const lines = p.lines.slice();
      lines[i] = messageLine(m, start);
      return { ...p, lines };
    }
    const lines = [...p.lines, messageLine(m, Math.floor(nowSeconds))];
    return trim({ lines, ids: { ...p.ids, [m.id!]: p.dropped + lines.length - 1 }, dropped: p.dropped }, max);
  }
  return trim({ lines: [...p.lines, messageLine(m)], ids: {}, dropped: p.dropped }, max);
}

function trim(p: ProgressLines, max: number): ProgressLines {
  const over = p.lines.length - max;
  return over > 0 ? { ...p, lines: p.lines.slice(over), dropped: p.dropped + over } : p;
}

export interface LineStyle {
  /** The terminal's width (docker shows the bar above 110 columns, the time left above 50). */
  width: number;
  /** The bar's inside: docker's 50, or narrower where room is short. */
  barCells?: number;
  nowSeconds?: number;
  /** Byte counts and bars (a terminal); false: the status alone. */
  bytes?: boolean;
}

/** "abc123def456: Downloading [==>   ]  12.3MB/40.1MB 3s", docker's line for it. */
export function lineText(l: ProgressLine, o: LineStyle): string {
  const head = l.id ? `${l.id}: ` : '';
  if (l.stream !== undefined) return head + l.stream;
  const shown = o.bytes !== false && ((l.current ?? 0) > 0 || (l.total ?? 0) > 0);
  if (!shown) return head + l.status;
  const bar =
    l.progress ??
    progressString(
      {
        ...(l.current !== undefined ? { current: l.current } : {}),
        ...(l.total !== undefined ? { total: l.total } : {}),
        ...(l.start ? { start: l.start } : {}),
      },
      o.width,
      o.nowSeconds ?? Date.now() / 1000,
      o.barCells ?? 50,
    );
  return bar ? `${head}${l.status} ${bar}` : head + l.status;
}

/**
 * The widest bar that keeps docker's longest line ("<12-hex ID>: Downloading
 * [bar]  123.4MB/567.8MB 59m59s") within `cells`, from 10 up to docker's 50.
 */
export function barCellsFor(cells: number): number {
  const rest = 'abcdef123456: Downloading '.length + '[] '.length + ' 123.4MB/567.8MB'.length + ' 59m59s'.length;
  return Math.max(10, Math.min(50, cells - rest));
}
