/**
 * Every change of the app's state, as one pure function. Components and
 * actions dispatch; nothing else writes the state.
 */
import type { ContainerSummary, ImageSummary, NetworkResource, SearchResult, VolumeInfo } from '../../client/api.js';
import type { KeyPress } from '../keymap/keys.js';
import { FORMS } from './forms.js';
import { projectSelected, selectedIndex, tabsOf, visibleRows } from './selectors.js';
import { applyEditKey, edit } from './text-edit.js';
import {
  type AppState,
  type Busy,
  type ConfirmState,
  type FocusId,
  type FormState,
  type ListId,
  type LogsView,
  type Message,
  type OutputView,
  type TabId,
} from './types.js';

export type Action =
  | { type: 'data'; list: 'containers'; items: ContainerSummary[] }
  | { type: 'data'; list: 'images'; items: ImageSummary[] }
  | { type: 'data'; list: 'volumes'; items: VolumeInfo[] }
  | { type: 'data'; list: 'networks'; items: NetworkResource[] }
  | { type: 'statsAvailable'; available: boolean }
  | { type: 'focus'; target: FocusId }
  | { type: 'focusCycle'; delta: 1 | -1 }
  | { type: 'move'; delta: number }
  | { type: 'moveEdge'; edge: 'first' | 'last' }
  | { type: 'select'; list: ListId; key: string; focus?: boolean }
  | { type: 'filterStart' }
  | { type: 'filterKey'; input: string; key: KeyPress }
  | { type: 'filterAccept' }
  | { type: 'filterClear' }
  | { type: 'tab'; delta: number }
  | { type: 'setTab'; tab: TabId }
  | { type: 'scroll'; delta?: number; to?: 'top' | 'bottom'; max: number }
  | { type: 'toggleAll' }
  | { type: 'toggleGroup' }
  | { type: 'mark' }
  | { type: 'clearMarks' }
  | { type: 'maximize'; on: boolean }
  | { type: 'back' }
  | { type: 'help' }
  | { type: 'hosts'; index: number }
  | { type: 'hostsMove'; delta: number; max: number }
  | { type: 'helpScroll'; delta: number; max: number }
  | { type: 'menuOpen' }
  | { type: 'menuMove'; delta: number; count: number }
  | { type: 'confirmOpen'; confirm: Omit<ConfirmState, 'kind' | 'index'> }
  | { type: 'confirmMove'; delta: number }
  | { type: 'confirmToggle' }
  | { type: 'formOpen'; form: FormState }
  | { type: 'formKey'; input: string; key: KeyPress }
  | { type: 'formField'; delta: number }
  | { type: 'formToggle' }
  | { type: 'formSet'; name: string; value: string; hint?: string | null }
  | { type: 'formError'; message: string | null }
  | { type: 'formBusy'; busy: Busy | null }
  | { type: 'formProgress'; progress: Partial<Busy> }
  | { type: 'formOutput'; output: OutputView | null }
  | { type: 'searchResults'; results: SearchResult[] }
  | { type: 'closeOverlay' }
  | { type: 'message'; message: Message | null }
  | { type: 'link'; down: string | null }
  | { type: 'logged'; entries: number; path: string }
  | { type: 'logs'; change: Partial<LogsView> }
  | { type: 'logsSearchKey'; input: string; key: KeyPress };

export interface InitialOptions {
  showAll?: boolean;
  grouped?: boolean;
  timestamps?: boolean;
}

export function initialState(o: InitialOptions = {}): AppState {
  const list = () => ({ selected: null, index: 0, filter: edit(''), filtering: false });
  return {
    focus: 'containers',
    subject: 'containers',
    lists: { containers: list(), images: list(), volumes: list(), networks: list() },
    data: { containers: null, images: null, volumes: null, networks: null },
    showAll: o.showAll ?? true,
    grouped: o.grouped ?? false,
    tab: { containers: 'logs', images: 'inspect', volumes: 'inspect', networks: 'inspect' },
    statsAvailable: false,
    marks: [],
    overlay: null,
    message: null,
    linkDown: null,
    logged: null,
    maximized: false,
    scroll: 0,
    logs: {
      follow: true,
      timestamps: o.timestamps ?? false,
      search: edit(''),
      searching: false,
      anchor: null,
      match: null,
    },
  };
}

const FOCUS_ORDER: FocusId[] = ['containers', 'images', 'volumes', 'networks', 'main'];

/** The main panel starts fresh when what it shows changes. */
function resetView(s: AppState): AppState {
  return { ...s, scroll: 0, logs: { ...s.logs, anchor: null, match: null, follow: true } };
}

/** Re-anchor a list's selection on its visible rows (after data or filter changes). */
function settle(s: AppState, list: ListId): AppState {
  const rows = visibleRows(s, list);
  const ls = s.lists[list];
  const i = selectedIndex(s, list);
  const key = i >= 0 ? rows[i]!.key : null;
  if (key === ls.selected && (i < 0 || i === ls.index)) return s;
  const next = { ...s, lists: { ...s.lists, [list]: { ...ls, selected: key, index: Math.max(0, i) } } };
  return key !== ls.selected && s.subject === list ? resetView(next) : next;
}

function selectAt(s: AppState, list: ListId, i: number): AppState {
  const rows = visibleRows(s, list);
  if (!rows.length) return s;
  const j = Math.max(0, Math.min(rows.length - 1, i));
  const key = rows[j]!.key;
  const ls = s.lists[list];
  if (key === ls.selected && j === ls.index) return s;
  const next = { ...s, lists: { ...s.lists, [list]: { ...ls, selected: key, index: j } } };
  return key !== ls.selected && s.subject === list ? resetView(next) : next;
}

function focusOn(s: AppState, target: FocusId): AppState {
  if (target === 'main') return { ...s, focus: 'main' };
  if (s.focus === target && s.subject === target) return s;
  const next = { ...s, focus: target, subject: target };
  return target !== s.subject ? resetView(next) : next;
}

function updateForm(s: AppState, fn: (f: FormState) => FormState): AppState {
  if (s.overlay?.kind !== 'form') return s;
  return { ...s, overlay: fn(s.overlay) };
}

function focusedList(s: AppState): ListId | null {
  return s.focus === 'main' ? null : s.focus;
}

export function reduce(s: AppState, a: Action): AppState {
  switch (a.type) {
    case 'data': {
      const next = { ...s, data: { ...s.data, [a.list]: a.items } };
      // volumes show their users, which come from the containers
      const settled = settle(next, a.list);
      const marksLeft =
        a.list === 'images'
          ? settled.marks.filter((k) => visibleRows(settled, 'images').some((r) => r.key === k))
          : settled.marks;
      const withMarks = marksLeft.length === settled.marks.length ? settled : { ...settled, marks: marksLeft };
      return a.list === 'containers' ? settle(withMarks, 'volumes') : withMarks;
    }
    case 'statsAvailable':
      return s.statsAvailable === a.available ? s : { ...s, statsAvailable: a.available };
    case 'focus':
      return focusOn(s, a.target);
    case 'focusCycle': {
      const i = FOCUS_ORDER.indexOf(s.focus);
      return focusOn(s, FOCUS_ORDER[(i + a.delta + FOCUS_ORDER.length) % FOCUS_ORDER.length]!);
    }
    case 'move': {
      const list = focusedList(s);
      return list ? selectAt(s, list, selectedIndex(s, list) + a.delta) : s;
    }
    case 'moveEdge': {
      const list = focusedList(s);
      return list ? selectAt(s, list, a.edge === 'first' ? 0 : visibleRows(s, list).length - 1) : s;
    }
    case 'select': {
      const base = a.focus ? focusOn(s, a.list) : s;
      const i = visibleRows(base, a.list).findIndex((r) => r.key === a.key);
      return i >= 0 ? selectAt(base, a.list, i) : base;
    }
    case 'filterStart': {
      const list = focusedList(s);
      if (!list) return s;
      return { ...s, lists: { ...s.lists, [list]: { ...s.lists[list], filtering: true } } };
    }
    case 'filterKey': {
      const list = focusedList(s);
      if (!list) return s;
      const ls = s.lists[list];
      const e = applyEditKey(ls.filter, a.input, a.key);
      if (!e || e === ls.filter) return s;
      return settle({ ...s, lists: { ...s.lists, [list]: { ...ls, filter: e } } }, list);
    }
    case 'filterAccept': {
      const list = focusedList(s);
      if (!list) return s;
      return { ...s, lists: { ...s.lists, [list]: { ...s.lists[list], filtering: false } } };
    }
    case 'filterClear': {
      const list = focusedList(s);
      if (!list) return s;
      const ls = s.lists[list];
      if (!ls.filtering && !ls.filter.text) return s;
      return settle({ ...s, lists: { ...s.lists, [list]: { ...ls, filtering: false, filter: edit('') } } }, list);
    }
    case 'tab': {
      const tabs = tabsOf(s.subject, s.statsAvailable, projectSelected(s));
      const cur = tabs.indexOf(s.tab[s.subject]);
      const t = tabs[(Math.max(0, cur) + a.delta + tabs.length) % tabs.length]!;
      return resetView({ ...s, tab: { ...s.tab, [s.subject]: t } });
    }
    case 'setTab':
      return resetView({ ...s, tab: { ...s.tab, [s.subject]: a.tab } });
    case 'scroll': {
      const to = a.to === 'top' ? 0 : a.to === 'bottom' ? a.max : s.scroll + (a.delta ?? 0);
      const v = Math.max(0, Math.min(a.max, to));
      return v === s.scroll ? s : { ...s, scroll: v };
    }
    case 'toggleAll':
      return settle({ ...s, showAll: !s.showAll }, 'containers');
    case 'toggleGroup':
      return settle({ ...s, grouped: !s.grouped }, 'containers');
    case 'mark': {
      const i = selectedIndex(s, 'images');
      if (i < 0) return s;
      const key = visibleRows(s, 'images')[i]!.key;
      const marks = s.marks.includes(key) ? s.marks.filter((k) => k !== key) : [...s.marks, key];
      return selectAt({ ...s, marks }, 'images', i + 1);
    }
    case 'clearMarks':
      return s.marks.length ? { ...s, marks: [] } : s;
    case 'maximize':
      return a.on
        ? { ...s, maximized: true, focus: 'main', subject: 'containers', tab: { ...s.tab, containers: 'logs' } }
        : { ...s, maximized: false };
    case 'back':
      if (s.overlay) return { ...s, overlay: null };
      if (s.maximized) return { ...s, maximized: false, focus: s.subject };
      if (s.focus === 'main') return { ...s, focus: s.subject };
      return s.message ? { ...s, message: null } : s;
    case 'hosts':
      return { ...s, overlay: s.overlay?.kind === 'hosts' ? null : { kind: 'hosts', index: a.index } };
    case 'hostsMove':
      if (s.overlay?.kind !== 'hosts') return s;
      return { ...s, overlay: { kind: 'hosts', index: Math.max(0, Math.min(a.max, s.overlay.index + a.delta)) } };
    case 'help':
      return { ...s, overlay: s.overlay?.kind === 'help' ? null : { kind: 'help', scroll: 0 } };
    case 'helpScroll':
      if (s.overlay?.kind !== 'help') return s;
      return { ...s, overlay: { kind: 'help', scroll: Math.max(0, Math.min(a.max, s.overlay.scroll + a.delta)) } };
    case 'menuOpen':
      return { ...s, overlay: { kind: 'menu', list: s.subject, index: 0 } };
    case 'menuMove':
      if (s.overlay?.kind !== 'menu' || !a.count) return s;
      return { ...s, overlay: { ...s.overlay, index: (s.overlay.index + a.delta + a.count) % a.count } };
    case 'confirmOpen':
      return { ...s, overlay: { kind: 'confirm', index: 0, ...a.confirm } };
    case 'confirmMove': {
      if (s.overlay?.kind !== 'confirm' || !s.overlay.options.length) return s;
      const n = s.overlay.options.length;
      return { ...s, overlay: { ...s.overlay, index: (s.overlay.index + a.delta + n) % n } };
    }
    case 'confirmToggle': {
      if (s.overlay?.kind !== 'confirm' || !s.overlay.options.length) return s;
      const o = s.overlay;
      return {
        ...s,
        overlay: { ...o, options: o.options.map((opt, i) => (i === o.index ? { ...opt, value: !opt.value } : opt)) },
      };
    }
    case 'formOpen':
      return { ...s, overlay: a.form };
    case 'formKey':
      return updateForm(s, (f) => {
        if (f.busy) return f;
        // typing in the search results goes back to the term
        if (f.pick != null) f = { ...f, pick: null };
        const spec = FORMS[f.form].fields[f.field]!;
        const cur = f.values[spec.name];
        if (typeof cur !== 'object') return f;
        const e = applyEditKey(cur, a.input, a.key, spec.kind === 'multiline');
        return e && e !== cur ? { ...f, values: { ...f.values, [spec.name]: e }, error: null, hint: null } : f;
      });
    case 'formField':
      return updateForm(s, (f) => {
        if (f.busy) return f;
        // the search dialog: the term, then each result, round
        if (f.results?.length) {
          const n = f.results.length + 1;
          const at = (f.pick == null ? 0 : f.pick + 1) + a.delta;
          const p = (((at % n) + n) % n) - 1;
          return { ...f, pick: p < 0 ? null : p, hint: null };
        }
        const n = FORMS[f.form].fields.length;
        return f.busy ? f : { ...f, field: (f.field + a.delta + n) % n, hint: null };
      });
    case 'formToggle':
      return updateForm(s, (f) => {
        const spec = FORMS[f.form].fields[f.field]!;
        return spec.kind === 'toggle' && !f.busy
          ? { ...f, values: { ...f.values, [spec.name]: !f.values[spec.name] } }
          : f;
      });
    case 'formSet':
      return updateForm(s, (f) => ({
        ...f,
        values: { ...f.values, [a.name]: edit(a.value) },
        hint: a.hint ?? null,
        error: null,
      }));
    case 'formError':
      return updateForm(s, (f) => {
        const i = a.message ? FORMS[f.form].fields.findIndex((x) => a.message!.startsWith(`${x.name}: `)) : -1;
        const message = i >= 0 ? a.message!.slice(FORMS[f.form].fields[i]!.name.length + 2) : a.message;
        return { ...f, error: message, busy: null, field: i >= 0 ? i : f.field };
      });
    case 'formBusy':
      return updateForm(s, (f) => ({ ...f, busy: a.busy, error: null }));
    case 'formProgress':
      return updateForm(s, (f) => (f.busy ? { ...f, busy: { ...f.busy, ...a.progress } } : f));
    case 'formOutput':
      return updateForm(s, (f) => ({ ...f, output: a.output }));
    case 'searchResults':
      return updateForm(s, (f) =>
        f.form === 'search'
          ? { ...f, busy: null, error: null, results: a.results, pick: a.results.length ? 0 : null }
          : f,
      );
    case 'closeOverlay':
      return s.overlay ? { ...s, overlay: null } : s;
    case 'message':
      return s.message === a.message ? s : { ...s, message: a.message };
    case 'link':
      return s.linkDown === a.down ? s : { ...s, linkDown: a.down };
    case 'logged':
      return s.logged?.entries === a.entries ? s : { ...s, logged: { entries: a.entries, path: a.path } };
    case 'logs':
      return { ...s, logs: { ...s.logs, ...a.change } };
    case 'logsSearchKey': {
      const e = applyEditKey(s.logs.search, a.input, a.key);
      return e && e !== s.logs.search ? { ...s, logs: { ...s.logs, search: e, match: null } } : s;
    }
  }
}
