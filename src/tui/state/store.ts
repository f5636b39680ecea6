/**
 * The state container: the reducer's state held outside React, so the app
 * can be unmounted while a shell has the terminal and mounted again exactly
 * as it was. Components read it with useAppState (hooks/use-store.ts).
 */
import { reduce, type Action } from './reducer.js';
import type { AppState } from './types.js';

export interface Store {
  get(): AppState;
  dispatch(a: Action): void;
  subscribe(fn: () => void): () => void;
}

export function createStore(initial: AppState): Store {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    dispatch(a) {
      const next = reduce(state, a);
      if (next === state) return;
      state = next;
      for (const fn of [...listeners]) fn();
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
