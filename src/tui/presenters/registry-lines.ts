/**
 * What the registry dialogs draw, as pure text: docker's progress lines of a
 * pull or a push (the same lines the CLI draws, client/format/progress-lines.ts,
 * with the bar narrowed to the dialog) and docker's search table. Everything
 * a registry or a user typed is cleaned of escape sequences here.
 */
import type { SearchResult } from '../../client/api.js';
import { barCellsFor, lineText, type ProgressLines } from '../../client/format/progress-lines.js';
import { searchRows } from '../../client/format/search-rows.js';
import { cleanText } from './clean-text.js';
import { formatCells, formatHeader, layoutColumns, width, type Column } from './columns.js';

/** At most `room` lines (`room` ≥ 1) of `cells` cells: the newest, under a line counting the ones above. */
export function progressRows(p: ProgressLines, cells: number, room: number, nowSeconds = Date.now() / 1000): string[] {
  const barCells = barCellsFor(cells);
  // width 200: docker's rules for a wide terminal (bar and time left); the bar is narrowed to fit instead
  const all = p.lines.map((l) => cleanText(lineText(l, { width: 200, barCells, nowSeconds })));
  const keep = Math.max(1, room);
  if (all.length + (p.dropped ? 1 : 0) <= keep) return p.dropped ? [`… ${p.dropped} earlier lines`, ...all] : all;
  const shown = all.slice(all.length - (keep - 1));
  return [`… ${all.length - shown.length + p.dropped} earlier lines`, ...shown];
}

export const SEARCH_COLUMNS: readonly Column[] = [
  { key: 'Name', title: 'NAME', min: 14, grow: 2, max: 60, priority: 5 },
  { key: 'Description', title: 'DESCRIPTION', min: 11, grow: 3, max: 45, priority: 1 },
  { key: 'StarCount', title: 'STARS', min: 5, priority: 4 },
  { key: 'IsOfficial', title: 'OFFICIAL', min: 8, priority: 3 },
  { key: 'IsAutomated', title: 'AUTOMATED', min: 9, priority: 2 },
];

export interface SearchTable {
  header: string;
  rows: { text: string; selected: boolean }[];
  /** Results above and below the window. */
  above: number;
  below: number;
}

/** docker's search table in `cells` cells, a window of `room` results that keeps the chosen one in view. */
export function searchTable(
  results: readonly SearchResult[],
  cells: number,
  pick: number | null,
  room: number,
): SearchTable {
  const rows = searchRows(results, false);
  // names are what Enter pulls: as wide as the longest one, as far as the other columns' least widths allow
  const others = SEARCH_COLUMNS.slice(1).reduce((n, c) => n + c.min + 1, 0);
  const longest = rows.reduce((n, r) => Math.max(n, width(cleanText(r.Name))), 0);
  const name = { ...SEARCH_COLUMNS[0]!, min: Math.max(SEARCH_COLUMNS[0]!.min, Math.min(longest, cells - others)) };
  const cols = layoutColumns([name, ...SEARCH_COLUMNS.slice(1)], cells);
  const keep = Math.max(1, room);
  const at = pick ?? 0;
  // the chosen result at the bottom once it is past the first window
  const start = Math.max(0, Math.min(at - keep + 1, rows.length - keep));
  const window = rows.slice(start, start + keep);
  return {
    header: formatHeader(cols),
    rows: window.map((r, i) => ({
      text: formatCells(cols, Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cleanText(v)]))),
      selected: pick === start + i,
    })),
    above: start,
    below: Math.max(0, rows.length - start - window.length),
  };
}
