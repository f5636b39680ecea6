/** Looking containers up by ID, name or ID prefix, and reading their live state. */
import { BerthError, notFound } from '../errors.js';
import { containerCgroupPath } from '../cgroup/hierarchy.js';
import { isFrozen } from '../cgroup/control.js';
import { readMonitorState } from '../runtime/monitor.js';
import { immediate } from '../store/db.js';
import type { Store } from '../store/store.js';
import { formatRFC3339Nano } from '../util/time.js';
import { releaseStale } from '../network/release.js';
import { ContainerDb } from './container-db.js';
import { currentState, persistable, type CurrentState } from './state.js';
import { ZERO_TIME, type ContainerRecord } from './types.js';

export function containerDb(store: Store): ContainerDb {
  return new ContainerDb(store.db);
}

/** docker's lookup: full ID, exact name, then a unique ID prefix. */
export function findContainer(store: Store, ref: string): ContainerRecord {
  const db = containerDb(store);
  const name = ref.replace(/^\//, '');
  const exact = (/^[a-f0-9]{64}$/.test(ref) ? db.get(ref) : null) ?? db.byName(name);
  if (exact) return exact;
  if (/^[a-f0-9]+$/.test(ref)) {
    const ids = db.idsWithPrefix(ref);
    if (ids.length > 1) throw new BerthError('CONFLICT', `multiple IDs found with provided prefix: ${ref}`);
    if (ids.length === 1) return db.get(ids[0]!)!;
  }
  throw notFound(`No such container: ${ref}`);
}

/** The live state; persists it when a run has ended so later readers agree without the runtime files. */
export function stateOf(store: Store, rec: ContainerRecord): CurrentState {
  const monitor = readMonitorState(store.layout.containerRun(rec.id));
  const frozen = monitor?.monitorAlive && monitor.status === 'running' ? isFrozen(containerCgroupPath(rec.id)) : false;
  const cur = currentState({ persisted: rec.state, monitor, frozen, now: formatRFC3339Nano(new Date()) });
  const next =
    persistable(cur, rec.state) ??
    (cur.restartCount > rec.state.restartCount ? { ...rec.state, restartCount: cur.restartCount } : null);
  if (next) {
    const gone = immediate(store.db, () => {
      // removed meanwhile (an --rm container's exit command, a rm -f): its end is recorded, and nothing more is
      const row = containerDb(store).get(rec.id);
      if (!row) return true;
      const before = row.state;
      containerDb(store).setState(rec.id, next);
      // what happened while no berth process watched, recorded by whichever process first sees it, at the
      // times it happened: each restart by the monitor's policy (docker's die, then start), then the run's end
      const attributes = (extra: Record<string, string> = {}) => ({ name: rec.name, image: rec.imageName, ...extra });
      const at = (t: string) => {
        const ms = Date.parse(t);
        return Number.isNaN(ms) ? Date.now() : ms;
      };
      const started = at(cur.startedAt);
      const died = Math.min(at(cur.finishedAt), started - 1);
      for (let i = before.restartCount; i < next.restartCount; i++) {
        // only the latest run's times are kept: earlier restarts are dated by them too
        store.event(
          {
            type: 'container',
            action: 'die',
            actorId: rec.id,
            attributes: attributes({ exitCode: String(cur.exitCode) }),
          },
          died,
        );
        store.event({ type: 'container', action: 'start', actorId: rec.id, attributes: attributes() }, started);
      }
      // a whole run that ended before the process that started it recorded its start (a quick command: the
      // monitor's exit command of an --rm container, or any reader, may look first): its start, then its end
      const unseenRun =
        next.status === 'exited' &&
        !isRunning(before) &&
        next.startedAt !== ZERO_TIME &&
        next.startedAt !== before.startedAt &&
        next.restartCount === before.restartCount;
      if (unseenRun) {
        store.event({ type: 'container', action: 'start', actorId: rec.id, attributes: attributes() }, started);
      }
      if (next.status === 'exited' && (unseenRun || (before.status !== 'exited' && before.status !== 'created'))) {
        store.event(
          {
            type: 'container',
            action: 'die',
            actorId: rec.id,
            attributes: attributes({ exitCode: String(next.exitCode) }),
          },
          at(next.finishedAt),
        );
      }
      return false;
    });
    if (gone) return cur;
    rec.state = next;
    // the run ended: its addresses and host ports are free again (with docker's network disconnect events)
    if (next.status === 'exited' && !cur.live) releaseStale(store, rec.id);
  }
  return cur;
}

export const isRunning = (s: Pick<CurrentState, 'status'>) =>
  s.status === 'running' || s.status === 'paused' || s.status === 'restarting';
