/**
 * Work started from a key that is still going: a dialog's work (commit,
 * save, load, run), a footer task (stop, remove), an attach session. When
 * the terminal goes away the app does not just die in the middle of it:
 * `settle` stops what Esc would stop (a save, a load: cancelled, leaving no
 * partial file or image), detaches from an attached container (it keeps
 * running, as a dropped docker client leaves it), and waits for the rest to
 * finish (a commit happens in one step, and the container must not stay
 * paused).
 */
import type { Services } from '../hooks/context.js';
import { cancelTransfer } from './transfer.js';

interface Work {
  done: Promise<unknown>;
  /** Stop it early (detach); absent for work that finishes on its own. */
  stop?: () => void;
}

const inflight = new WeakMap<Services, Set<Work>>();

/** Note `done` as work in progress until it settles; returns it. */
export function track<T>(svc: Services, done: Promise<T>, stop?: () => void): Promise<T> {
  let set = inflight.get(svc);
  if (!set) inflight.set(svc, (set = new Set()));
  const w: Work = { done, ...(stop ? { stop } : {}) };
  set.add(w);
  const forget = () => void set.delete(w);
  done.then(forget, forget);
  return done;
}

/** How many pieces of work are in progress. */
export function inProgress(svc: Services): number {
  return inflight.get(svc)?.size ?? 0;
}

/** Cancel what Esc cancels, detach what can be detached, and wait for everything to end. Never throws. */
export async function settle(svc: Services): Promise<void> {
  cancelTransfer(svc);
  const set = inflight.get(svc);
  // work may start more work as it ends (a commit lists the images): a few rounds
  for (let round = 0; set?.size && round < 5; round++) {
    for (const w of set) w.stop?.();
    await Promise.allSettled([...set].map((w) => w.done));
  }
}
