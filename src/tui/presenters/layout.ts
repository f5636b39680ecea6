/**
 * Where everything goes on a screen of a given size: header, the lists'
 * column (each list's height), the main panel, the footer. Pure, so every
 * size from 80x24 up can be tested without a terminal.
 */
import type { ListId } from '../state/types.js';

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export interface ScreenLayout {
  columns: number;
  /** Rows drawn (the whole terminal: the frame writer places every line itself). */
  height: number;
  body: number;
  left: number;
  main: number;
  lists: Record<ListId, number>;
}

export function tooSmall(columns: number, rows: number): string | null {
  if (columns >= MIN_COLUMNS && rows >= MIN_ROWS) return null;
  return `The terminal is ${columns}x${rows}; berth needs at least ${MIN_COLUMNS}x${MIN_ROWS}. Make it larger, or press q to quit.`;
}

/**
 * Heights of the four lists (rows of items, without their title lines):
 * the expanded one (focused, or shown in the main panel) gets what the
 * others do not need; the others show a few rows each.
 */
export function listHeights(avail: number, counts: Record<ListId, number>, expanded: ListId): Record<ListId, number> {
  const ids: ListId[] = ['containers', 'images', 'volumes', 'networks'];
  const cap = Math.max(1, Math.floor(avail / 6));
  const h = {} as Record<ListId, number>;
  for (const id of ids) h[id] = id === expanded ? 0 : Math.max(1, Math.min(counts[id], cap));
  let rest = avail - ids.reduce((n, id) => n + h[id], 0);
  h[expanded] = Math.max(1, Math.min(rest, Math.max(1, counts[expanded])));
  rest -= h[expanded];
  // room the expanded list does not need goes to the others, then back to it
  for (const id of ids) {
    if (id === expanded || rest <= 0) continue;
    const more = Math.min(rest, Math.max(0, counts[id] - h[id]));
    h[id] += more;
    rest -= more;
  }
  h[expanded] += Math.max(0, rest);
  return h;
}

export function screenLayout(
  columns: number,
  rows: number,
  counts: Record<ListId, number>,
  expanded: ListId,
  maximized: boolean,
): ScreenLayout {
  const height = rows;
  const body = height - 3; // header, two footer lines
  const left = maximized ? 0 : Math.max(38, Math.min(Math.floor(columns * 0.42), 72));
  const main = maximized ? columns : columns - left - 1;
  // four title lines and the column headings of the expanded list
  const lists = listHeights(body - 5, counts, expanded);
  return { columns, height, body, left, main, lists };
}
