/**
 * Which containers to sample, found cheaply once per interval: one
 * query for the rows whose recorded state is running (only the wanted IDs
 * when nobody asked for all), ordered newest first as docker lists them.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.js';

export interface RunningRow {
  id: string;
  name: string;
  /** The recorded state as stored (JSON text): a cheap key for "nothing changed". */
  state: string;
  network: string | null;
}

export class RunningQuery {
  private readonly all: Statement;
  private readonly some: Statement;

  constructor(db: Db) {
    const base = `SELECT id, name, state, json_extract(host_config, '$.NetworkMode') AS network FROM containers
      WHERE json_extract(state, '$.status') IN ('running', 'paused', 'restarting')`;
    this.all = db.prepare(`${base} ORDER BY rowid DESC`);
    this.some = db.prepare(`${base} AND id IN (SELECT value FROM json_each(?)) ORDER BY rowid DESC`);
  }

  /** Rows recorded as running; `ids` limits them to those (null: every one). */
  rows(ids: string[] | null): RunningRow[] {
    if (ids === null) return this.all.all() as RunningRow[];
    if (!ids.length) return [];
    return this.some.all(JSON.stringify(ids)) as RunningRow[];
  }
}
