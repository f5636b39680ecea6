/**
 * What the build dialog draws, as pure text: the rows of `berth build`'s
 * terminal display (client/format/build-progress.ts) fitted to the dialog,
 * each step's time right-aligned, the newest rows when they do not all fit.
 * A RUN step's output is cleaned of escape sequences here.
 */
import type { ProgressRow } from '../../client/format/build-progress.js';
import { fit } from './columns.js';

export interface StepLine {
  text: string;
  kind: ProgressRow['kind'] | 'more';
}

/** At most `room` lines (`room` ≥ 1) of `cells` cells: the newest rows, under a line counting the ones above. */
export function buildStepLines(rows: readonly ProgressRow[], cells: number, room: number): StepLine[] {
  const line = (r: ProgressRow): StepLine => {
    const time = r.time ? ` ${r.time}` : '';
    return { text: fit(r.text, Math.max(cells - time.length, 1)) + time, kind: r.kind };
  };
  const keep = Math.max(1, room);
  if (rows.length <= keep) return rows.map(line);
  const shown = rows.slice(rows.length - (keep - 1));
  return [{ text: `… ${rows.length - shown.length} earlier lines`, kind: 'more' }, ...shown.map(line)];
}
