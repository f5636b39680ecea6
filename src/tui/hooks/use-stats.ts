/** Re-render on the stats feed: on every batch, or only when what a view shows of it changed. */
import { useRef, useSyncExternalStore } from 'react';
import type { StatsSample } from '../../client/api.js';
import { useServices } from './context.js';

/** A new value on every batch (once a second while containers run): for views that draw every sample (charts). */
export function useStatsVersion(): number {
  const { stats } = useServices();
  return useSyncExternalStore(
    (fn) => stats.subscribe(fn),
    () => stats.version,
  );
}

/**
 * The text the lists show of the latest samples (`show` turns one sample
 * into it), taken on the lists' slower beat (StatsFeed.listVersion): a list
 * renders again only when that text changed.
 */
export function useListStatsText(show: (s: StatsSample) => string): string {
  const { stats } = useServices();
  const taken = useRef({ version: -1, text: '' });
  return useSyncExternalStore(
    (fn) => stats.subscribe(fn),
    () => {
      if (taken.current.version !== stats.listVersion) {
        let text = '';
        for (const [id, s] of stats.latest) text += `${id}\t${show(s)}\n`;
        taken.current = { version: stats.listVersion, text };
      }
      return taken.current.text;
    },
  );
}
