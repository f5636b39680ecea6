/** The registry dialogs' own parts: docker's progress lines of a pull or a push, and the search results table. */
import type { ProgressLines } from '../../client/format/progress-lines.js';
import { progressRows, searchTable } from '../presenters/registry-lines.js';
import type { FormState } from '../state/types.js';
import type { Theme } from '../theme/theme.js';
import { Line } from './Frame.js';

export function ProgressBoard({
  label,
  lines,
  width,
  room,
}: {
  label: string;
  lines: ProgressLines;
  width: number;
  room: number;
}) {
  const rows = progressRows(lines, width - 4, room);
  return (
    <>
      <Line width={width} bold>{`${label}…`}</Line>
      {rows.map((r, i) => (
        <Line key={i} width={width}>
          {r}
        </Line>
      ))}
    </>
  );
}

export function SearchResults({ f, width, room, theme }: { f: FormState; width: number; room: number; theme: Theme }) {
  const results = f.results ?? [];
  if (!results.length) return <Line width={width}>no results</Line>;
  const t = searchTable(results, width - 4, f.pick ?? null, Math.max(1, room - 2));
  return (
    <>
      <Line width={width} color={theme.colors.muted}>
        {t.header}
      </Line>
      {t.rows.map((r, i) => (
        <Line key={i} width={width} inverse={r.selected} bold={r.selected}>
          {r.text}
        </Line>
      ))}
      <Line width={width} color={theme.colors.muted}>
        {`${results.length} result${results.length === 1 ? '' : 's'}${t.above || t.below ? ` (${t.above} above, ${t.below} below)` : ''}`}
      </Line>
    </>
  );
}
