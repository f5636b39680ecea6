/** Putting the app's parts together around a backend (the session and the tests both do this). */
import type { Backend } from '../client/api.js';
import { EngineFeed, type FeedOptions } from './hooks/engine-feed.js';
import type { HostSwitcher, Services, TerminalControl } from './hooks/context.js';
import { StatsFeed } from './hooks/stats-feed.js';
import { DEFAULT_SETTINGS, type Settings } from './keymap/config.js';
import { Keymap } from './keymap/keys.js';
import { initialState } from './state/reducer.js';
import { createStore } from './state/store.js';
import { makeTheme, type Theme } from './theme/theme.js';

export interface ServiceOptions {
  settings?: Settings;
  theme?: Theme;
  terminal: TerminalControl;
  cwd?: string;
  feed?: FeedOptions;
  hosts?: HostSwitcher;
}

export function createServices(backend: Backend, o: ServiceOptions): Services {
  const settings = o.settings ?? DEFAULT_SETTINGS;
  const store = createStore(
    initialState({ showAll: settings.containers.showAll, timestamps: settings.logs.timestamps }),
  );
  const feed = new EngineFeed(backend, store, o.feed);
  return {
    backend,
    store,
    settings,
    keymap: new Keymap(settings.bindings),
    theme: o.theme ?? makeTheme(1, true, false),
    feed,
    // a container that ended on its own (no berth process was there to record it) drops out of the
    // stats stream: listing the containers then records its end, and the list shows it
    stats: new StatsFeed(
      backend,
      store,
      settings.stats.windowSeconds * 1000,
      1000,
      () => void feed.refresh('containers'),
    ),
    terminal: o.terminal,
    cwd: o.cwd ?? process.cwd(),
    ...(o.hosts ? { hosts: o.hosts } : {}),
  };
}

/**
 * The lists first; the stats stream (the CPU and MEM cells: reading every running container's
 * cgroup) once the first frame with the lists is drawn, so that frame does not wait for it.
 */
export function startServices(s: Services): void {
  void s.feed.start().then(() => setImmediate(() => s.stats.start()));
}

export function stopServices(s: Services): void {
  s.feed.stop();
  s.stats.stop();
}
