/** Derived views of the state: the rows each list shows, the selection, the tabs. Memoised on the data arrays. */
import type { ContainerSummary } from '../../client/api.js';
import {
  containerRows,
  filterRows,
  imageRows,
  networkRows,
  volumeRows,
  volumeUsers,
  type ContainerRow,
  type ImageRow,
  type NetworkRow,
  type Row,
  type VolumeRow,
} from '../presenters/rows.js';
import { groupRows, isProjectRow, type ContainerListRow } from '../presenters/projects.js';
import type { AppState, ListId, TabId } from './types.js';

export interface RowsByList {
  containers: ContainerListRow;
  images: ImageRow;
  volumes: VolumeRow;
  networks: NetworkRow;
}

function memo<A extends object, R>(fn: (a: A) => R): (a: A) => R {
  const cache = new WeakMap<A, R>();
  return (a) => {
    let r = cache.get(a);
    if (r === undefined) cache.set(a, (r = fn(a)));
    return r;
  };
}

const allContainerRows = memo((cs: ContainerSummary[]) => containerRows(cs, true));
const runningContainerRows = memo((cs: ContainerSummary[]) => containerRows(cs, false));
const usersOf = memo(volumeUsers);
const imageRowsOf = memo(imageRows);
const networkRowsOf = memo(networkRows);
const volumeRowsCache = new WeakMap<object, { users: Map<string, string[]>; rows: VolumeRow[] }>();

/** Every row of a list before filtering. */
export function rowsOf<L extends ListId>(s: AppState, list: L): RowsByList[L][] {
  switch (list) {
    case 'containers': {
      const cs = s.data.containers ?? [];
      return (s.showAll ? allContainerRows(cs) : runningContainerRows(cs)) as RowsByList[L][];
    }
    case 'images':
      return imageRowsOf(s.data.images ?? []) as RowsByList[L][];
    case 'networks':
      return networkRowsOf(s.data.networks ?? []) as RowsByList[L][];
    default: {
      const vs = s.data.volumes ?? [];
      const users = usersOf(s.data.containers ?? []);
      const hit = volumeRowsCache.get(vs);
      if (hit && hit.users === users) return hit.rows as RowsByList[L][];
      const rows = volumeRows(vs, users);
      volumeRowsCache.set(vs, { users, rows });
      return rows as RowsByList[L][];
    }
  }
}

const filtered = new WeakMap<object, { filter: string; rows: Row[] }>();
const grouped = new WeakMap<object, { all: object; rows: ContainerListRow[] }>();

function filteredRows<L extends ListId>(s: AppState, list: L): RowsByList[L][] {
  const all = rowsOf(s, list);
  const f = s.lists[list].filter.text;
  if (!f.trim()) return all;
  const hit = filtered.get(all);
  if (hit && hit.filter === f) return hit.rows as RowsByList[L][];
  const rows = filterRows(all, f);
  filtered.set(all, { filter: f, rows });
  return rows;
}

/** The rows a list shows: filtered by its filter text; the containers under their compose projects when grouped. */
export function visibleRows<L extends ListId>(s: AppState, list: L): RowsByList[L][] {
  const rows = filteredRows(s, list);
  if (list !== 'containers' || !s.grouped) return rows;
  const cs = s.data.containers ?? [];
  const hit = grouped.get(rows);
  if (hit && hit.all === cs) return hit.rows as RowsByList[L][];
  const out = groupRows(rows as ContainerRow[], cs);
  grouped.set(rows, { all: cs, rows: out });
  return out as RowsByList[L][];
}

/** Index of the selection among the visible rows (-1 when there is none). */
export function selectedIndex(s: AppState, list: ListId): number {
  const rows = visibleRows(s, list);
  const key = s.lists[list].selected;
  if (key === null) return rows.length ? Math.min(s.lists[list].index, rows.length - 1) : -1;
  const i = rows.findIndex((r) => r.key === key);
  return i >= 0 ? i : rows.length ? Math.min(s.lists[list].index, rows.length - 1) : -1;
}

export function selectedRow<L extends ListId>(s: AppState, list: L): RowsByList[L] | null {
  const i = selectedIndex(s, list);
  return i >= 0 ? visibleRows(s, list)[i]! : null;
}

/** A compose project is selected in the Containers list (its tab is its merged logs). */
export const projectSelected = (s: AppState): boolean =>
  s.subject === 'containers' && isProjectRow(selectedRow(s, 'containers'));

export function tabsOf(list: ListId, statsAvailable: boolean, project = false): TabId[] {
  switch (list) {
    case 'containers':
      if (project) return ['logs'];
      // no Stats tab where the backend has no metrics
      return statsAvailable ? ['logs', 'stats', 'inspect', 'top', 'diff'] : ['logs', 'inspect', 'top', 'diff'];
    case 'images':
      return ['inspect', 'history'];
    default:
      return ['inspect', 'users'];
  }
}

export const TAB_TITLES: Record<TabId, string> = {
  logs: 'Logs',
  stats: 'Stats',
  inspect: 'Inspect',
  top: 'Top',
  diff: 'Diff',
  history: 'History',
  users: 'Containers',
};

/** The tab the main panel shows for the current subject. */
export function currentTab(s: AppState): TabId {
  const tabs = tabsOf(s.subject, s.statsAvailable, projectSelected(s));
  const t = s.tab[s.subject];
  return tabs.includes(t) ? t : tabs[0]!;
}

/** The image refs an image action applies to: the marked rows, else the selection. */
export function imageTargets(s: AppState): { refs: string[]; names: string[] } {
  const rows = rowsOf(s, 'images');
  const marked = rows.filter((r) => s.marks.includes(r.key));
  const use = marked.length ? marked : [selectedRow(s, 'images')].filter((r): r is ImageRow => !!r);
  return { refs: use.map((r) => r.ref), names: use.map((r) => (r.repo === '<none>' ? r.ref.slice(7, 19) : r.ref)) };
}
