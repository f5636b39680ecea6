/** The app: wiring only. Layout comes from presenters/layout.ts, state from the store, data from the feeds. */
import { Box, Text, useInput } from 'ink';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { runCommand } from './actions/commands.js';
import { Overlay } from './dialogs/Overlay.js';
import { ServicesContext, useServices, type Services } from './hooks/context.js';
import { useKeys, type KeyHandler } from './hooks/use-keys.js';
import { useAppState } from './hooks/use-store.js';
import { useTerminalSize, type Size } from './hooks/use-terminal-size.js';
import { Footer } from './panes/Footer.js';
import type { HostSet } from './hosts.js';
import { Header } from './panes/Header.js';
import { Lists } from './panes/Lists.js';
import { MainPanel } from './panes/MainPanel.js';
import { screenLayout, tooSmall } from './presenters/layout.js';
import { visibleRows } from './state/selectors.js';
import type { AppState } from './state/types.js';

/**
 * The time statuses ("Up 5 seconds") are worded against: every second while
 * some container started less than a minute ago, else every 15 seconds. No
 * other timer runs while nothing happens. While the stats stream is live it
 * wakes the app once a second anyway: the second-by-second clock ticks with
 * its batches, so such a second costs one frame, not two.
 */
function useClock(): Date {
  const { stats } = useServices();
  const young = useAppState((s) =>
    (s.data.containers ?? []).some((c) => c.State === 'running' && Date.now() - Date.parse(c.StartedAt) < 60_000),
  );
  const live = useAppState((s) => s.statsAvailable);
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (young && live) return stats.subscribe(() => setNow(new Date()));
    const t = setInterval(() => setNow(new Date()), young ? 1000 : 15_000);
    t.unref?.();
    return () => clearInterval(t);
  }, [young, live, stats]);
  return now;
}

const layoutKey = (s: AppState) =>
  [
    s.focus,
    s.subject,
    s.maximized,
    s.overlay === null,
    visibleRows(s, 'containers').length,
    visibleRows(s, 'images').length,
    visibleRows(s, 'volumes').length,
    visibleRows(s, 'networks').length,
  ].join('|');

function TooSmall({ message }: { message: string }) {
  const svc = useServices();
  const onKey: KeyHandler = useCallback(
    (b) => (b?.id === 'app.quit' || b?.id === 'app.interrupt' ? runCommand(svc, b.id) : undefined),
    [svc],
  );
  useKeys(['global'], onKey, true);
  return <Text color={svc.theme.colors.error}>{message}</Text>;
}

function Screen({ size }: { size?: Size | undefined }) {
  const { store, theme, stats } = useServices();
  const { columns, rows } = useTerminalSize(size);
  const now = useClock();
  // one input hook that is always active keeps the terminal in raw mode
  // while focus moves between panes (each pane's hook comes and goes); a key
  // brings the lists' stats beat back from idle
  useInput(() => stats.touch(), { isActive: true });
  useAppState(layoutKey);
  const s = store.get();
  const small = tooSmall(columns, rows);
  if (small) return <TooSmall message={small} />;
  const counts = {
    containers: visibleRows(s, 'containers').length,
    images: visibleRows(s, 'images').length,
    volumes: visibleRows(s, 'volumes').length,
    networks: visibleRows(s, 'networks').length,
  };
  const L = screenLayout(columns, rows, counts, s.subject, s.maximized);
  return (
    <Box flexDirection="column" width={columns} height={L.height}>
      <Header width={columns} />
      <Box flexDirection="row" height={L.body}>
        {s.maximized ? null : <Lists width={L.left} heights={L.lists} expanded={s.subject} now={now} />}
        {s.maximized ? null : (
          <Box width={1} height={L.body} flexDirection="column">
            <Text color={theme.colors.muted}>{(theme.glyphs.vline + '\n').repeat(L.body).trimEnd()}</Text>
          </Box>
        )}
        <MainPanel width={L.main} height={L.body} now={now} />
      </Box>
      <Footer width={columns} />
      <Overlay columns={columns} rows={L.height} />
    </Box>
  );
}

/** The app on `services`, or on whichever host of the session's hosts list shows (`hosts`). */
export function App({ services, hosts, size }: { services: Services; hosts?: HostSet; size?: Size }) {
  const none = useCallback(() => () => undefined, []);
  const shown = useSyncExternalStore(hosts ? hosts.subscribe : none, () => (hosts ? hosts.current() : services));
  return (
    <ServicesContext.Provider value={shown}>
      <Screen key={hosts ? hosts.currentIndex : 0} size={size} />
    </ServicesContext.Provider>
  );
}
