/**
 * A container's state, whoever asks and whenever: the database keeps what
 * was last known; while a monitor lives, its state file is the truth; a
 * monitor that died (killed, or the machine rebooted and the runtime dir is
 * gone) means the container exited. Pure: the caller reads the files.
 */
import type { MonitorState } from '../runtime/monitor.js';
import { ZERO_TIME, type PersistedState } from './types.js';

export interface LiveInputs {
  persisted: PersistedState;
  monitor: MonitorState | null;
  frozen: boolean;
  now: string;
}

export interface CurrentState extends PersistedState {
  pid: number;
  /** The monitor is alive (the container can be signalled, attached, exec'd into). */
  live: boolean;
}

export function currentState({ persisted, monitor, frozen, now }: LiveInputs): CurrentState {
  if (persisted.status === 'removing' || persisted.status === 'dead') return { ...persisted, pid: 0, live: false };
  if (!monitor) {
    // No runtime state: either never started, or it was lost (reboot): a run in progress has ended.
    if (persisted.status === 'running' || persisted.status === 'paused' || persisted.status === 'restarting') {
      return {
        ...persisted,
        status: 'exited',
        finishedAt: persisted.finishedAt !== ZERO_TIME ? persisted.finishedAt : now,
        pid: 0,
        live: false,
      };
    }
    return { ...persisted, pid: 0, live: false };
  }
  const base: CurrentState = {
    ...persisted,
    exitCode: monitor.exitCode,
    error: monitor.error,
    startedAt: monitor.startedAt !== ZERO_TIME ? monitor.startedAt : persisted.startedAt,
    finishedAt: monitor.finishedAt !== ZERO_TIME ? monitor.finishedAt : persisted.finishedAt,
    oomKilled: monitor.oomKilled,
    restartCount: monitor.restartCount,
    stoppedByUser: monitor.stoppedByUser,
    pid: 0,
    live: monitor.monitorAlive,
  };
  if (!monitor.monitorAlive) {
    if (monitor.status === 'exited') return { ...base, status: 'exited' };
    if (monitor.status === 'created')
      return { ...base, status: persisted.startedAt === ZERO_TIME ? 'created' : 'exited' };
    // the monitor was killed while the container ran: the container died with it
    return { ...base, status: 'exited', exitCode: 137, finishedAt: now, error: 'the container monitor was killed' };
  }
  switch (monitor.status) {
    case 'created':
      return {
        ...base,
        status: persisted.startedAt === ZERO_TIME ? 'created' : 'exited',
        pid: monitor.pid,
      };
    case 'running':
      return { ...base, status: frozen ? 'paused' : 'running', pid: monitor.pid };
    case 'restarting':
      return { ...base, status: 'restarting' };
    default:
      return { ...base, status: 'exited' };
  }
}

/** What to persist when the live state is final, or null when nothing changed. */
export function persistable(cur: CurrentState, persisted: PersistedState): PersistedState | null {
  // final: exited (a live monitor then only runs its exit command), or created with no monitor
  if (cur.status !== 'exited' && !(cur.status === 'created' && !cur.live)) return null;
  // the common case, compared field by field (a list reads every container's state)
  if (
    cur.status === persisted.status &&
    cur.exitCode === persisted.exitCode &&
    cur.error === persisted.error &&
    cur.startedAt === persisted.startedAt &&
    cur.finishedAt === persisted.finishedAt &&
    cur.oomKilled === persisted.oomKilled &&
    cur.restartCount === persisted.restartCount &&
    cur.stoppedByUser === persisted.stoppedByUser &&
    Object.keys(persisted).length === 8
  )
    return null;
  const next: PersistedState = {
    status: cur.status,
    exitCode: cur.exitCode,
    error: cur.error,
    startedAt: cur.startedAt,
    finishedAt: cur.finishedAt,
    oomKilled: cur.oomKilled,
    restartCount: cur.restartCount,
    stoppedByUser: cur.stoppedByUser,
  };
  return JSON.stringify(next) === JSON.stringify(persisted) ? null : next;
}
