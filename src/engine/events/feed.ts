/**
 * The event feed: every berth process appends to the `events` table in the
 * same store, so following the table (a cheap indexed query) sees what the
 * CLI in another SSH session did, and what a container monitor's exit hook
 * recorded. The follower looks when the database's files change (every
 * write goes to its write-ahead log) and at least once a second.
 */
import { basename, dirname } from 'node:path';
import type { Store } from '../store/store.js';
import { dirWaker } from '../util/dir-waker.js';
import type { EngineEvent, EventOptions } from '../types.js';
import { parseUntil } from '../util/filters.js';
import { checkEventFilters, matchEvent } from './filter.js';

interface EventRow {
  seq: number;
  time_ms: number;
  nanos: number;
  type: EngineEvent['Type'];
  action: string;
  actor_id: string;
  attributes: string;
}

export function toEngineEvent(r: EventRow): EngineEvent {
  const timeNano = BigInt(r.time_ms) * 1_000_000n + BigInt(r.nanos);
  return {
    Type: r.type,
    Action: r.action,
    Actor: { ID: r.actor_id, Attributes: JSON.parse(r.attributes) as Record<string, string> },
    scope: 'local',
    time: Math.floor(r.time_ms / 1000),
    timeNano,
  };
}

/**
 * How long after a change to the database's files the follower looks again, however many rows the
 * look at the change found. A commit reaches the write-ahead log (which wakes the follower) just before
 * SQLite makes it visible by updating the WAL index in shared memory, which inotify does not report: a
 * look in between finds nothing of that commit, and without a second look it would wait for the
 * backstop. Three cheap indexed queries per burst of writes.
 */
const SETTLE_MS = [5, 25, 100];

/**
 * Events since `since` (or only new ones), then new events as they are
 * recorded, until `until` passes or the signal fires. `pollMs` is how long
 * the follower waits at most for a change to the database's files (without
 * inotify: how often it looks).
 */
export async function* eventFeed(store: Store, opts: EventOptions = {}, pollMs = 1000): AsyncGenerator<EngineEvent> {
  const filters = opts.filters ?? new Map<string, string[]>();
  checkEventFilters(filters);
  const ms = (t: number | string | undefined) => (typeof t === 'string' ? parseUntil(t) : t);
  const since = ms(opts.since);
  const until = ms(opts.until);
  const next = store.db.prepare<[number], EventRow>('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT 500');
  let last: number;
  if (since !== undefined) {
    const first = store.db
      .prepare<[number], { seq: number }>('SELECT min(seq) AS seq FROM events WHERE time_ms >= ?')
      .get(since);
    last =
      first?.seq == null
        ? (store.db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM events').get()?.seq ?? 0)
        : first.seq - 1;
  } else {
    last = store.db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM events').get()?.seq ?? 0;
  }
  const signal = opts.signal;
  const db = basename(store.layout.db);
  const wake = dirWaker(
    [{ dir: dirname(store.layout.db), match: (file) => file === null || file.startsWith(db) }],
    (watching) => (watching ? pollMs : Math.min(pollMs, 200)),
  );
  let settle = SETTLE_MS.length;
  try {
    while (!signal?.aborted) {
      const rows = next.all(last);
      for (const r of rows) {
        last = r.seq;
        if (until !== undefined && r.time_ms > until) return;
        const ev = toEngineEvent(r);
        if (matchEvent(ev, filters)) yield ev;
        if (signal?.aborted) return;
      }
      if (rows.length === 500) continue;
      if (until !== undefined && Date.now() > until) return;
      const left = until !== undefined ? Math.max(0, until - Date.now()) + 1 : Infinity;
      // after a change, look again a few times shortly: see SETTLE_MS
      const changed = await wake.next(signal, settle < SETTLE_MS.length ? Math.min(SETTLE_MS[settle++]!, left) : left);
      if (changed) settle = 0;
    }
  } finally {
    wake.close();
  }
}
