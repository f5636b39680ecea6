/** What every component may reach: the backend, the store, the keymap, the theme, the feeds and the terminal. */
import { createContext, useContext } from 'react';
import type { Backend } from '../../client/api.js';
import type { Settings } from '../keymap/config.js';
import type { Keymap } from '../keymap/keys.js';
import type { Store } from '../state/store.js';
import type { Theme } from '../theme/theme.js';
import type { EngineFeed } from './engine-feed.js';
import type { StatsFeed } from './stats-feed.js';

export interface TerminalControl {
  /** Unmount the app, give the real terminal to `run` (exec, attach), then mount the app again as it was. */
  handOver<T>(run: () => Promise<T>): Promise<T>;
  /** Clear the screen and draw everything again. */
  redraw(): void;
  /** Leave the app. */
  quit(): void;
}

/** One row of the hosts overview (hosts.ts makes them). */
export interface OverviewRow {
  name: string;
  address: string;
  current: boolean;
  /** 'up' with the figures; 'connecting'; 'down' with the error; 'idle': not connected yet. */
  state: 'up' | 'connecting' | 'down' | 'idle';
  error: string | null;
  running: number;
  total: number;
  failing: number;
  /** Sum of the running containers' CPU %, and their memory in bytes (null while no sample came). */
  cpuPercent: number | null;
  memBytes: number | null;
}

/** The hosts of the session (hosts.ts): which one shows, the overview, switching. */
export interface HostSwitcher {
  readonly size: number;
  currentIndex: number;
  /** The name of the host these services belong to. */
  name(s: Services): string;
  subscribe(fn: () => void): () => void;
  connectAll(): void;
  switchTo(i: number): Promise<boolean>;
  overviewRow(i: number): OverviewRow;
}

export interface Services {
  backend: Backend;
  store: Store;
  keymap: Keymap;
  theme: Theme;
  settings: Settings;
  feed: EngineFeed;
  stats: StatsFeed;
  terminal: TerminalControl;
  /** Directory relative paths in dialogs start from. */
  cwd: string;
  /** The session's hosts, when the app was started with its hosts list. */
  hosts?: HostSwitcher;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('berth: component used outside the app');
  return s;
}
