/**
 * docker's wait conditions beyond "not-running": `next-exit` (the end of the
 * next run, which may not have started yet: `docker run` asks before it
 * starts the container) and `removed` (the exit, then the container's
 * removal: `docker run --rm`). Waiters sleep on the database's directory
 * and the runtime directory (every start, exit and removal writes to one of
 * them, from any process), with a short timer as the backstop.
 */
import { dirname, basename, join } from 'node:path';
import { BerthError } from '../errors.js';
import type { Store } from '../store/store.js';
import { dirWaker } from '../util/dir-waker.js';
import { SHARED } from '../shared-constants.js';
import { waitContainer } from './lifecycle.js';
import { containerDb, findContainer, isRunning, stateOf } from './records.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export async function waitForCondition(
  store: Store,
  ref: string,
  condition: WaitCondition,
  signal?: AbortSignal,
): Promise<{ exitCode: number; error: string }> {
  if (condition === 'not-running') return waitContainer(store, ref, signal);
  const rec = findContainer(store, ref);
  const db = basename(store.layout.db);
  const wake = dirWaker(
    [
      { dir: dirname(store.layout.db), match: (f) => f === null || f.startsWith(db) },
      { dir: join(store.layout.runroot, SHARED.layout.containerRun), match: () => true },
    ],
    () => 100,
  );
  const since = Date.now();
  const first = stateOf(store, rec);
  // the run this wait is about: the one going on now, else the next one to start
  const startedBefore = isRunning(first) ? null : first.startedAt;
  let last = { exitCode: first.exitCode, error: first.error };
  try {
    for (;;) {
      if (signal?.aborted) throw new BerthError('CANCELLED', 'wait cancelled');
      const now = containerDb(store).get(rec.id);
      if (!now) {
        // removed (an --rm container may go between two looks): its run's end is in the events
        return lastDie(store, rec.id, since) ?? last;
      }
      const st = stateOf(store, now);
      const ran = isRunning(st) || st.startedAt !== startedBefore;
      if (isRunning(st) && st.live && st.status !== 'restarting') {
        try {
          last = await waitContainer(store, rec.id, signal);
        } catch (e) {
          if (!(e instanceof BerthError && e.code === 'NOT_FOUND')) throw e;
        }
        if (condition === 'next-exit') return last;
        continue;
      }
      if (ran && !isRunning(st)) {
        last = { exitCode: st.exitCode, error: st.error };
        if (condition === 'next-exit') return last;
      }
      await wake.next(signal, condition === 'removed' && ran ? 20 : 100);
    }
  } finally {
    wake.close();
  }
}

/** The exit code of the container's latest `die` event at or after `sinceMs`, if there is one. */
function lastDie(store: Store, id: string, sinceMs: number): { exitCode: number; error: string } | null {
  const row = store.db
    .prepare<[string, number], { attributes: string }>(
      "SELECT attributes FROM events WHERE type = 'container' AND action = 'die' AND actor_id = ? AND time_ms >= ? ORDER BY seq DESC LIMIT 1",
    )
    .get(id, sinceMs - 1000);
  if (!row) return null;
  const code = Number((JSON.parse(row.attributes) as { exitCode?: string }).exitCode);
  return Number.isInteger(code) ? { exitCode: code, error: '' } : null;
}
