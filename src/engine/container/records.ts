/** Looking containers up by ID, name or ID prefix, and reading their live state. */
import { BerthError, notFound } from '../errors.js';
import { containerCgroupPath } from '../cgroup/hierarchy.js';
import { isFrozen } from '../cgroup/control.js';
import { readMonitorState } from '../runtime/monitor.js';
import { immediate } from '../store/db.js';
import type { Store } from '../store/store.js';
import { formatRFC3339Nano } from '../util/time.js';
import { ContainerDb } from './container-db.js';
import { currentState, persistable, type CurrentState } from './state.js';
import type { ContainerRecord } from './types.js';

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
  const next = persistable(cur, rec.state);
  if (next) {
    immediate(store.db, () => {
      const before = containerDb(store).get(rec.id)?.state.status ?? rec.state.status;
      const died = next.status === 'exited' && before !== 'exited' && before !== 'created';
      containerDb(store).setState(rec.id, next);
      // the run's end, recorded by whichever process first sees it, at the time it happened
      if (died) {
        const at = Date.parse(next.finishedAt);
        store.event({ type: 'container', action: 'die', actorId: rec.id, attributes: { name: rec.name, image: rec.imageName, exitCode: String(next.exitCode) } }, Number.isNaN(at) ? Date.now() : at);
      }
    });
    rec.state = next;
  }
  return cur;
}

export const isRunning = (s: CurrentState) => s.status === 'running' || s.status === 'paused' || s.status === 'restarting';
