/** Running backend work from a key: a word in the footer while it runs, the outcome or the engine's message after. */
import type { Services } from '../hooks/context.js';
import { track } from './work.js';

export function say(svc: Services, text: string, kind: 'info' | 'error' = 'info'): void {
  svc.store.dispatch({ type: 'message', message: { kind, text } });
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/** Run `fn`; the footer says `doing…`, then what fn returns, or the error. Never throws. A hangup waits for it. */
export function task(svc: Services, doing: string, fn: () => Promise<string | void>): Promise<boolean> {
  say(svc, `${doing}…`);
  return track(
    svc,
    (async () => fn())().then(
      (done) => {
        say(svc, done || `${doing}: done`);
        return true;
      },
      (e: unknown) => {
        say(svc, errorText(e), 'error');
        return false;
      },
    ),
  );
}
