/**
 * The Logs tab: the container's log (or a compose project's merged logs,
 * each line tagged `service-N |` in its service's colour) following live from a bounded buffer,
 * stderr in its own colour, timestamps on demand, search with highlighted
 * matches and n/N, scrolling that stops following until G.
 */
import { Box, Text } from 'ink';
import { memo, useCallback } from 'react';
import { runCommand } from '../actions/commands.js';
import { say } from '../actions/task.js';
import { useServices } from '../hooks/context.js';
import { useKeys, type KeyHandler } from '../hooks/use-keys.js';
import { useLogs } from '../hooks/use-logs.js';
import { useAppState } from '../hooks/use-store.js';
import { cleanText } from '../presenters/clean-text.js';
import { fit } from '../presenters/columns.js';
import { layoutLog, type LogRing } from '../presenters/log-buffer.js';
import type { LogTag } from '../presenters/projects.js';
import { FilterText } from './ListPane.js';
import { edit } from '../state/text-edit.js';
import type { LogsView } from '../state/types.js';
import type { Theme } from '../theme/theme.js';

/** What the tab shows: one container's log, or (with tags) a compose project's merged logs. */
export interface LogSource {
  refs: string[];
  /** Changes when a container was started again (the stream restarts). */
  epoch: string;
  /** Merged logs: each container's `service-N` tag and colour. */
  tags: LogTag[] | null;
}

export interface LogsTabProps {
  source: LogSource | null;
  width: number;
  height: number;
  focused: boolean;
  pageKeys: boolean;
}

/** Split `text` around case-insensitive occurrences of `term`. */
export function splitMatches(text: string, term: string): { text: string; hit: boolean }[] {
  if (!term) return [{ text, hit: false }];
  const out: { text: string; hit: boolean }[] = [];
  const low = text.toLowerCase();
  const t = term.toLowerCase();
  let i = 0;
  for (let j = low.indexOf(t); j >= 0; j = low.indexOf(t, j + t.length)) {
    if (j > i) out.push({ text: text.slice(i, j), hit: false });
    out.push({ text: text.slice(j, j + t.length), hit: true });
    i = j + t.length;
  }
  if (i < text.length) out.push({ text: text.slice(i), hit: false });
  return out;
}

function bottomOf(view: LogsView, ring: LogRing): number {
  if (view.follow || view.anchor === null) return ring.next - 1;
  return Math.max(ring.first, Math.min(view.anchor, ring.next - 1));
}

function useLogKeys(ring: LogRing, view: LogsView, rows: number, focused: boolean, pageKeys: boolean): void {
  const svc = useServices();
  const d = svc.store.dispatch;
  const onKey: KeyHandler = useCallback(
    (b, input, key) => {
      const bottom = bottomOf(view, ring);
      const last = ring.next - 1;
      const scrollTo = (seq: number) => {
        const lowest = Math.min(last, ring.first + rows - 1);
        if (seq >= last) d({ type: 'logs', change: { follow: true, anchor: null } });
        else d({ type: 'logs', change: { follow: false, anchor: Math.max(lowest, seq) } });
      };
      const jump = (dir: 1 | -1) => {
        const term = view.search.text;
        if (!term) return say(svc, 'no search: press / first');
        const from = (view.match ?? (dir < 0 ? bottom + 1 : bottom)) + dir;
        const seq = ring.find(term, from, dir);
        if (seq === null) return say(svc, `"${term}": no ${dir < 0 ? 'older' : 'newer'} match`);
        d({ type: 'logs', change: { match: seq } });
        scrollTo(Math.min(last, seq + Math.floor(rows / 2)));
      };
      if (view.searching) {
        if (b?.id === 'input.accept') {
          d({ type: 'logs', change: { searching: false, match: null } });
          if (view.search.text) jump(-1);
        } else if (b?.id === 'input.cancel')
          d({ type: 'logs', change: { searching: false, search: edit(''), match: null } });
        else if (b?.id === 'app.interrupt') runCommand(svc, b.id);
        else d({ type: 'logsSearchKey', input, key });
        return;
      }
      if (!b) return;
      switch (b.id) {
        case 'logs.follow':
          return d({
            type: 'logs',
            change: view.follow ? { follow: false, anchor: last } : { follow: true, anchor: null },
          });
        case 'logs.timestamps':
          return d({ type: 'logs', change: { timestamps: !view.timestamps } });
        case 'logs.search':
          return d({ type: 'logs', change: { searching: true } });
        case 'logs.next':
          return jump(-1);
        case 'logs.prev':
          return jump(1);
        case 'logs.end':
        case 'main.bottom':
          return scrollTo(last);
        case 'main.top':
          return scrollTo(ring.first + rows - 1);
        case 'main.up':
          return scrollTo(bottom - 1);
        case 'main.down':
          return scrollTo(bottom + 1);
        case 'main.pageUp':
          return scrollTo(bottom - Math.max(1, rows - 1));
        case 'main.pageDown':
          return scrollTo(bottom + Math.max(1, rows - 1));
        default:
          if (focused) runCommand(svc, b.id);
      }
    },
    [svc, d, ring, view, rows, focused],
  );
  const scopes = view.searching
    ? (['input'] as const)
    : focused
      ? (['logs', 'main', 'global'] as const)
      : (['global'] as const);
  useKeys(scopes, onKey, focused || (pageKeys && !view.searching));
}

/** A service's colour in merged logs. */
const hueColor = (theme: Theme, hue: number): string | undefined =>
  theme.colors.series.length ? theme.colors.series[hue % theme.colors.series.length] : undefined;

function LogLines({
  ring,
  view,
  width,
  rows,
  theme,
  tags,
}: {
  ring: LogRing;
  view: LogsView;
  width: number;
  rows: number;
  theme: Theme;
  tags: LogTag[] | null;
}) {
  const labels = tags?.map((t) => t.label);
  const shown = layoutLog(ring, bottomOf(view, ring), width, rows, view.timestamps, labels);
  const term = view.searching ? '' : view.search.text;
  return (
    <>
      {shown.map((r, i) => (
        <Text key={i} wrap="truncate" color={r.stream === 'stderr' ? theme.colors.stderr : undefined}>
          {r.tag ? <Text color={hueColor(theme, tags?.[r.source]?.hue ?? 0)}>{r.tag}</Text> : null}
          {r.prefix ? <Text color={theme.colors.muted}>{r.prefix}</Text> : null}
          {splitMatches(r.text, term).map((p, j) =>
            p.hit ? (
              <Text key={j} inverse color={theme.colors.match} bold={r.seq === view.match}>
                {p.text}
              </Text>
            ) : (
              p.text
            ),
          )}
        </Text>
      ))}
      {Array.from({ length: Math.max(0, rows - shown.length) }, (_, i) => (
        <Text key={`pad${i}`}> </Text>
      ))}
    </>
  );
}

function LogsTabInner({ source, width, height, focused, pageKeys }: LogsTabProps) {
  const { theme } = useServices();
  const view = useAppState((s) => s.logs);
  const logs = useLogs(source?.refs ?? null, source?.epoch ?? '', !!source?.tags);
  const rows = Math.max(1, height - 1);
  useLogKeys(logs.ring, view, rows, focused, pageKeys);
  const state = view.follow ? 'following' : `paused at line ${bottomOf(view, logs.ring) + 1}`;
  const status = [
    logs.error ? null : `${logs.ring.next} lines${logs.ring.first > 0 ? ` (last ${logs.ring.size} kept)` : ''}`,
    logs.ended && !logs.error ? 'log ended' : state,
    view.timestamps ? 'timestamps' : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <Box flexDirection="column" width={width} height={height}>
      {logs.error ? (
        <Box height={rows}>
          <Text color={theme.colors.error} wrap="wrap">
            {cleanText(logs.error)}
          </Text>
        </Box>
      ) : source ? (
        <LogLines ring={logs.ring} view={view} width={width} rows={rows} theme={theme} tags={source.tags} />
      ) : (
        <Box height={rows}>
          <Text color={theme.colors.muted}>no container selected</Text>
        </Box>
      )}
      <Text wrap="truncate" color={theme.colors.muted}>
        {view.searching || view.search.text ? (
          <Text>
            search: <FilterText filter={view.search} active={view.searching} theme={theme} />
            {'  '}
          </Text>
        ) : null}
        {fit(
          status,
          Math.max(0, width - (view.searching || view.search.text ? view.search.text.length + 12 : 0)),
          'right',
        )}
      </Text>
    </Box>
  );
}

export const LogsTab = memo(LogsTabInner);
