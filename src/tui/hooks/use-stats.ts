/** Re-render when the stats feed has a new batch (once a second while containers run). */
import { useSyncExternalStore } from 'react';
import { useServices } from './context.js';

export function useStatsVersion(): number {
  const { stats } = useServices();
  return useSyncExternalStore(
    (fn) => stats.subscribe(fn),
    () => stats.version,
  );
}
