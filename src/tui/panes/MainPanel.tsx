/**
 * The main panel: the tabs of the selection in the subject list (a
 * container: Logs, Stats, Inspect, Top, Diff; an image: Inspect, History;
 * a volume or a network: Inspect, Containers) and the one that is open.
 */
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { useServices } from '../hooks/context.js';
import { useResource } from '../hooks/use-resource.js';
import { useAppState } from '../hooks/use-store.js';
import { fit } from '../presenters/columns.js';
import {
  diffLines,
  historyLines,
  inspectLines,
  networkMemberLines,
  topLines,
  volumeUserLines,
} from '../presenters/details.js';
import { isProjectRow, logTags, type ContainerListRow } from '../presenters/projects.js';
import { currentTab, projectSelected, selectedRow, TAB_TITLES, tabsOf } from '../state/selectors.js';
import type { AppState, TabId } from '../state/types.js';
import { LogsTab, type LogSource } from './LogsTab.js';
import { StatsTab } from './StatsTab.js';
import { TextTab } from './TextTab.js';

export interface MainPanelProps {
  width: number;
  height: number;
  now: Date;
}

interface Subject {
  key: string | null;
  ref: string | null;
  title: string;
}

function subjectOf(s: AppState): Subject {
  if (s.subject === 'containers') {
    const r = selectedRow(s, 'containers');
    if (isProjectRow(r)) {
      const states = r.members.map((c) => `${c.Id}|${c.State}|${c.StartedAt}`).join(',');
      return { key: `${r.key}|${states}`, ref: r.ref, title: r.project ? `project ${r.name}` : r.name };
    }
    return { key: r ? `${r.key}|${r.c.State}|${r.c.StartedAt}` : null, ref: r?.ref ?? null, title: r?.name ?? '' };
  }
  if (s.subject === 'images') {
    const r = selectedRow(s, 'images');
    return {
      key: r?.key ?? null,
      ref: r ? r.img.Id : null,
      title: r ? (r.repo === '<none>' ? r.ref.slice(7, 19) : r.ref) : '',
    };
  }
  if (s.subject === 'networks') {
    const r = selectedRow(s, 'networks');
    return {
      key: r ? `${r.key}|${JSON.stringify(r.n.Containers)}` : null,
      ref: r?.ref ?? null,
      title: r?.n.Name ?? '',
    };
  }
  const r = selectedRow(s, 'volumes');
  return { key: r?.key ?? null, ref: r?.ref ?? null, title: r?.ref ?? '' };
}

/** What the Logs tab follows: the container, or every container of the project (merged); stable while they are. */
function useLogSource(row: ContainerListRow | null): LogSource | null {
  // "(no project)" is a heading, not a project: its loose containers' logs are not merged (there may be many)
  const project = isProjectRow(row) && row.project ? row : null;
  const key = project
    ? project.members.map((c) => `${c.Id}@${c.StartedAt}`).join(',')
    : row && !isProjectRow(row)
      ? `${row.c.Id}@${row.c.StartedAt}`
      : '';
  return useMemo((): LogSource | null => {
    if (project) return { refs: project.members.map((c) => c.Id), epoch: key, tags: logTags(project.members) };
    if (row && !isProjectRow(row)) return { refs: [row.c.Id], epoch: row.c.StartedAt, tags: null };
    return null;
    // the source changes with the containers and their starts only
  }, [key]);
}

/** Lines of a text tab, loaded from the backend for the current selection. */
function useTabLines(s: AppState, tab: TabId, subject: Subject, now: Date) {
  const { backend } = useServices();
  const ref = subject.ref;
  const load = async (): Promise<string[]> => {
    if (!ref) return [];
    switch (tab) {
      case 'inspect':
        if (s.subject === 'containers') return inspectLines(await backend.inspectContainer(ref));
        if (s.subject === 'images') return inspectLines(await backend.inspectImage(ref));
        if (s.subject === 'networks') return inspectLines(await backend.inspectNetwork(ref));
        return inspectLines(await backend.inspectVolume(ref));
      case 'top':
        return topLines(await backend.containerTop(ref));
      case 'diff':
        return diffLines(await backend.containerChanges(ref));
      case 'history':
        return historyLines(await backend.imageHistory(ref), now);
      default:
        return [];
    }
  };
  const textTab = tab === 'inspect' || tab === 'top' || tab === 'diff' || tab === 'history';
  // top follows the processes while it is open
  return useResource(textTab && ref ? `${tab}|${subject.key}` : null, load, tab === 'top' ? 2000 : 0);
}

export function MainPanel({ width, height, now }: MainPanelProps) {
  const svc = useServices();
  const { theme } = svc;
  const s = useAppState((x) => x);
  const tab = currentTab(s);
  const subject = subjectOf(s);
  const res = useTabLines(s, tab, subject, now);
  const focused = s.focus === 'main' && s.overlay === null;
  const pageKeys = s.focus !== 'main' && s.overlay === null && !s.lists[s.subject].filtering;
  const contentHeight = height - 1;
  const tabs = tabsOf(s.subject, s.statsAvailable, projectSelected(s));
  const row = s.subject === 'containers' ? selectedRow(s, 'containers') : null;
  const container = row && !isProjectRow(row) ? row.c : null;
  const logSource = useLogSource(row);

  let content;
  if (!subject.ref) {
    content = (
      <Box height={contentHeight}>
        <Text color={theme.colors.muted}>
          {s.data[s.subject] === null ? 'loading…' : `no ${s.subject.slice(0, -1)} selected`}
        </Text>
      </Box>
    );
  } else if (tab === 'logs') {
    content = <LogsTab source={logSource} width={width} height={contentHeight} focused={focused} pageKeys={pageKeys} />;
  } else if (tab === 'stats') {
    content = (
      <StatsTab container={container} width={width} height={contentHeight} focused={focused} pageKeys={pageKeys} />
    );
  } else if (tab === 'users') {
    const net = s.subject === 'networks' ? selectedRow(s, 'networks') : null;
    const lines = net ? networkMemberLines(net.n) : volumeUserLines(subject.ref, s.data.containers ?? []);
    content = (
      <TextTab
        lines={lines}
        loading={false}
        error={null}
        width={width}
        height={contentHeight}
        focused={focused}
        pageKeys={pageKeys}
      />
    );
  } else {
    content = (
      <TextTab
        lines={res.data}
        loading={res.loading}
        error={res.error}
        width={width}
        height={contentHeight}
        focused={focused}
        pageKeys={pageKeys}
      />
    );
  }

  const title = ` ${subject.title || ' '} `;
  const tabText = tabs.map((t) => ` ${TAB_TITLES[t]} `);
  const used = title.length + tabText.reduce((n, t) => n + t.length + 1, 0);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text bold inverse={s.focus === 'main'} color={s.focus === 'main' ? theme.colors.accent : theme.colors.title}>
          {fit(
            title,
            Math.min(title.length, Math.max(8, width - used + title.length - 1)),
            'left',
            theme.glyphs.ellipsis,
          )}
        </Text>
        {tabs.map((t, i) => (
          <Text key={t}>
            <Text color={theme.colors.muted}>{theme.glyphs.vline}</Text>
            <Text bold={t === tab} inverse={t === tab} color={t === tab ? theme.colors.accent : theme.colors.muted}>
              {tabText[i]}
            </Text>
          </Text>
        ))}
        <Text color={theme.colors.muted}>{theme.glyphs.hline.repeat(Math.max(0, width - used))}</Text>
      </Text>
      {content}
    </Box>
  );
}
