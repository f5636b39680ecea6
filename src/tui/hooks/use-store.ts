/** Reading the app state in a component: re-renders only when the selected slice changes. */
import { useSyncExternalStore } from 'react';
import type { AppState } from '../state/types.js';
import { useServices } from './context.js';

export function useAppState<T>(select: (s: AppState) => T): T {
  const { store } = useServices();
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}
