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
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('berth: component used outside the app');
  return s;
}
