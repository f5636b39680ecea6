/**
 * The left column: Containers, Images, Volumes, Networks. The focused list takes the
 * keys of its scope (then "list", then "global"); while its filter prompt is
 * open, typing edits the filter.
 */
import { Box } from 'ink';
import { useCallback } from 'react';
import type { StatsSample } from '../../client/api.js';
import { runCommand } from '../actions/commands.js';
import { useServices } from '../hooks/context.js';
import { useKeys, type KeyHandler } from '../hooks/use-keys.js';
import { useListStatsText } from '../hooks/use-stats.js';
import { useAppState } from '../hooks/use-store.js';
import type { Scope } from '../keymap/bindings.js';
import {
  CONTAINER_COLUMNS,
  IMAGE_COLUMNS,
  NETWORK_COLUMNS,
  VOLUME_COLUMNS,
  containerCells,
  imageCells,
  networkCells,
  statsCellsText,
  volumeCells,
  type ImageRow,
} from '../presenters/rows.js';
import {
  isProjectRow,
  projectCells,
  projectOf,
  type ContainerListRow,
  type ProjectRow,
} from '../presenters/projects.js';
import { rowsOf, selectedIndex, visibleRows } from '../state/selectors.js';
import type { AppState, ListId } from '../state/types.js';
import type { Theme } from '../theme/theme.js';
import { ListPane } from './ListPane.js';

function stateColor(theme: Theme, state: string): string | undefined {
  if (state === 'running') return theme.colors.running;
  if (state === 'paused' || state === 'restarting') return theme.colors.paused;
  if (state === 'dead') return theme.colors.error;
  return theme.colors.stopped;
}

function stateGlyph(theme: Theme, state: string): string {
  if (!theme.unicode) return state === 'running' ? '+' : state === 'paused' ? '=' : '-';
  return state === 'running' ? '▶' : state === 'paused' ? '‖' : '■';
}

/** A project row: its colour says whether all, some or none of its containers run. */
function projectGlyph(theme: Theme, r: ProjectRow): { char: string; color: string | undefined } {
  const state = r.running === r.members.length ? 'running' : r.running ? 'paused' : 'exited';
  return { char: theme.unicode ? '▾' : '*', color: stateColor(theme, state) };
}

function useListKeys(list: ListId, active: boolean, filtering: boolean): void {
  const svc = useServices();
  const d = svc.store.dispatch;
  const onKey: KeyHandler = useCallback(
    (b, input, key) => {
      if (filtering) {
        if (b?.id === 'input.accept') d({ type: 'filterAccept' });
        else if (b?.id === 'input.cancel') d({ type: 'filterClear' });
        else if (b?.id === 'app.interrupt') runCommand(svc, b.id);
        else d({ type: 'filterKey', input, key });
        return;
      }
      if (!b) return;
      switch (b.id) {
        case 'list.down':
          return d({ type: 'move', delta: 1 });
        case 'list.up':
          return d({ type: 'move', delta: -1 });
        case 'list.first':
          return d({ type: 'moveEdge', edge: 'first' });
        case 'list.last':
          return d({ type: 'moveEdge', edge: 'last' });
        case 'list.filter':
          return d({ type: 'filterStart' });
        case 'list.clearFilter':
          if (svc.store.get().lists[list].filter.text) return d({ type: 'filterClear' });
          return d({ type: 'back' });
        case 'main.pageUp':
        case 'main.pageDown':
          return d({ type: 'focus', target: 'main' });
        default:
          runCommand(svc, b.id);
      }
    },
    [svc, d, list, filtering],
  );
  const scopes: Scope[] = filtering ? ['input'] : [list, 'list', 'global'];
  useKeys(scopes, onKey, active);
}

const counts = (s: AppState, list: ListId): string => {
  if (s.data[list] === null) return '';
  const all = rowsOf(s, list).length;
  const shown = visibleRows(s, list).length;
  if (list === 'containers') {
    const cs = s.data.containers ?? [];
    const running = cs.filter((c) => c.State === 'running').length;
    if (s.grouped) {
      const projects = new Set(cs.map(projectOf).filter(Boolean)).size;
      const only = s.showAll ? '' : ' (running only)';
      const inside = visibleRows(s, list).filter((r) => !isProjectRow(r as ContainerListRow)).length;
      const by = ` · ${projects} project${projects === 1 ? '' : 's'}`;
      return `${running} running / ${cs.length}${only}${by}${inside !== all ? ` · ${inside} shown` : ''}`;
    }
    return `${running} running / ${cs.length}${s.showAll ? '' : ' (running only)'}${shown !== all ? ` · ${shown} shown` : ''}`;
  }
  return `${all}${shown !== all ? ` · ${shown} shown` : ''}`;
};

// without metrics (a backend that has none) the CPU and MEM columns would only ever say "-"
const CONTAINER_COLUMNS_NO_STATS = CONTAINER_COLUMNS.filter((c) => c.key !== 'cpu' && c.key !== 'mem');

export interface ListsProps {
  width: number;
  heights: Record<ListId, number>;
  expanded: ListId;
  now: Date;
}

export function Lists({ width, heights, expanded, now }: ListsProps) {
  const svc = useServices();
  const { theme } = svc;
  const s = useAppState((x) => x);
  // the CPU and MEM cells as shown, every two seconds: a batch that changes none of them draws nothing
  const statsText = useListStatsText(statsCellsText);
  const inputFree = s.overlay === null;
  const latest = svc.stats.latest;
  const cCells = useCallback(
    (r: ContainerListRow) =>
      isProjectRow(r)
        ? projectCells(r, latest as ReadonlyMap<string, StatsSample | undefined>)
        : containerCells(r, now, latest.get(r.c.Id) as StatsSample | undefined),
    [now, latest],
  );
  const iCells = useCallback((r: ImageRow) => imageCells(r, now), [now]);
  const glyph = useCallback(
    (r: ContainerListRow) =>
      isProjectRow(r)
        ? projectGlyph(theme, r)
        : { char: stateGlyph(theme, r.c.State), color: stateColor(theme, r.c.State) },
    [theme],
  );
  // one hook per list keeps the hook order fixed; only the focused one is active
  useListKeys('containers', inputFree && s.focus === 'containers', s.lists.containers.filtering);
  useListKeys('images', inputFree && s.focus === 'images', s.lists.images.filtering);
  useListKeys('volumes', inputFree && s.focus === 'volumes', s.lists.volumes.filtering);
  useListKeys('networks', inputFree && s.focus === 'networks', s.lists.networks.filtering);
  const common = (list: ListId) => ({
    height: heights[list],
    width,
    focused: s.focus === list,
    expanded: expanded === list,
    loading: s.data[list] === null,
    filter: s.lists[list].filter,
    filtering: s.lists[list].filtering,
    selected: selectedIndex(s, list),
    counts: counts(s, list),
    theme,
  });
  const tick = `${now.getTime()}\n${statsText}`;
  return (
    <Box flexDirection="column" width={width}>
      <ListPane
        number="1"
        title="Containers"
        rows={visibleRows(s, 'containers')}
        columns={s.statsAvailable ? CONTAINER_COLUMNS : CONTAINER_COLUMNS_NO_STATS}
        cells={cCells}
        glyph={glyph}
        strong={isProjectRow}
        tick={tick}
        {...common('containers')}
      />
      <ListPane
        number="2"
        title="Images"
        rows={visibleRows(s, 'images')}
        columns={IMAGE_COLUMNS}
        cells={iCells}
        marks={s.marks}
        {...common('images')}
      />
      <ListPane
        number="3"
        title="Volumes"
        rows={visibleRows(s, 'volumes')}
        columns={VOLUME_COLUMNS}
        cells={volumeCells}
        {...common('volumes')}
      />
      <ListPane
        number="4"
        title="Networks"
        rows={visibleRows(s, 'networks')}
        columns={NETWORK_COLUMNS}
        cells={networkCells}
        {...common('networks')}
      />
    </Box>
  );
}
