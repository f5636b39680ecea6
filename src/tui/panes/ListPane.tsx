/**
 * One list of the left column: a title line (number key, name, counts,
 * filter), column headings when expanded, and the rows that fit, keeping
 * the selection in view. Rows arrive formatted; this only draws them.
 */
import { Box, Text } from 'ink';
import { memo } from 'react';
import { fit, formatCells, formatHeader, layoutColumns, type Column } from '../presenters/columns.js';
import type { Row } from '../presenters/rows.js';
import type { Edit } from '../state/text-edit.js';
import type { Theme } from '../theme/theme.js';

export interface ListPaneProps<R extends Row> {
  number: string;
  title: string;
  counts: string;
  rows: readonly R[];
  selected: number;
  height: number;
  width: number;
  focused: boolean;
  expanded: boolean;
  loading: boolean;
  columns: readonly Column[];
  cells: (r: R) => Record<string, string>;
  glyph?: (r: R) => { char: string; color: string | undefined };
  /** Rows drawn in bold (a group's heading). */
  strong?: (r: R) => boolean;
  marks?: readonly string[];
  filter: Edit;
  filtering: boolean;
  theme: Theme;
  /** Changes when cells change without the rows changing (clock, stats). */
  tick?: string;
}

/** The first row to show so the selection stays in view (centred when it can be). */
export function windowStart(selected: number, count: number, height: number): number {
  if (count <= height || selected < 0) return 0;
  return Math.min(Math.max(0, selected - Math.floor(height / 2)), count - height);
}

export function FilterText({ filter, active, theme }: { filter: Edit; active: boolean; theme: Theme }) {
  if (!active) return <Text color={theme.colors.match}>{filter.text}</Text>;
  const before = filter.text.slice(0, filter.cursor);
  const at = filter.text.slice(filter.cursor, filter.cursor + 1) || ' ';
  const after = filter.text.slice(filter.cursor + 1);
  return (
    <Text color={theme.colors.match}>
      {before}
      <Text inverse>{at}</Text>
      {after}
    </Text>
  );
}

function ListPaneInner<R extends Row>(p: ListPaneProps<R>) {
  const { theme } = p;
  const g = theme.glyphs;
  const inner = p.width - 2; // glyph and a space
  const cols = layoutColumns(p.columns, inner);
  const start = windowStart(p.selected, p.rows.length, p.height);
  const shown = p.rows.slice(start, start + p.height);
  const showFilter = p.filtering || p.filter.text !== '';
  const head = ` ${p.number} ${p.title} `;
  const countText = ` ${p.counts} `;
  const titleRoom = p.width - head.length - countText.length - (showFilter ? 10 + p.filter.text.length : 0);
  const lines = [];
  for (let i = 0; i < p.height; i++) {
    const r = shown[i];
    if (!r) {
      const empty = i === 0 ? (p.loading ? 'loading…' : p.filter.text ? 'nothing matches the filter' : 'none') : '';
      lines.push(
        <Text key={`e${i}`} color={theme.colors.muted}>
          {fit(empty ? `  ${empty}` : '', p.width, 'left', g.ellipsis)}
        </Text>,
      );
      continue;
    }
    const isSel = start + i === p.selected;
    const mark = p.marks?.includes(r.key);
    const gl = p.glyph?.(r) ?? { char: ' ', color: undefined };
    const text = formatCells(cols, p.cells(r), g.ellipsis);
    lines.push(
      <Text key={r.key} wrap="truncate">
        <Text color={mark ? theme.colors.match : gl.color}>{mark ? g.mark : gl.char}</Text>
        <Text
          inverse={isSel && p.focused}
          bold={(isSel && !p.focused) || !!p.strong?.(r)}
          underline={isSel && !p.focused && theme.level === 0}
        >
          {' ' + text}
        </Text>
      </Text>,
    );
  }
  return (
    <Box flexDirection="column" width={p.width}>
      <Text wrap="truncate">
        <Text inverse={p.focused} bold color={p.focused ? theme.colors.accent : theme.colors.title}>
          {head}
        </Text>
        <Text color={theme.colors.muted}>{countText}</Text>
        {showFilter ? (
          <Text>
            <Text color={theme.colors.muted}>filter: </Text>
            <FilterText filter={p.filter} active={p.filtering} theme={theme} />
          </Text>
        ) : null}
        <Text color={theme.colors.muted}>{g.hline.repeat(Math.max(0, titleRoom))}</Text>
      </Text>
      {p.expanded ? (
        <Text color={theme.colors.muted} wrap="truncate">
          {'  ' + formatHeader(cols)}
        </Text>
      ) : null}
      {lines}
    </Box>
  );
}

export const ListPane = memo(ListPaneInner) as typeof ListPaneInner;
