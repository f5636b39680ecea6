/**
 * The build cache's records: for each step result, its key (the parent's
 * key, the instruction and the content it read), the layer chain it made and
 * when; and the persistent RUN --mount=type=cache directories. Layers a
 * record needs are listed in build_cache_layers so image and container
 * removal leave them (docker keeps build cache apart from images).
 *
 * The tables are created on first use (IF NOT EXISTS) rather than by a
 * numbered migration, so this branch and others that add migrations merge
 * in any order.
 */
import { join } from 'node:path';
import type { Db } from '../../store/db.js';
import type { Store } from '../../store/store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS build_cache (
  key         TEXT PRIMARY KEY,          -- sha256 of the step's inputs
  chain_id    TEXT NOT NULL,             -- the result: the chain of the layer the step made
  diff_id     TEXT NOT NULL,
  created_at  TEXT NOT NULL,             -- RFC3339Nano when the layer was made (the history's created)
  last_used   INTEGER NOT NULL,          -- ms since epoch
  usage_count INTEGER NOT NULL,
  description TEXT NOT NULL,             -- the step as progress names it
  shared      INTEGER NOT NULL DEFAULT 0 -- the layer is also an image's (docker's SHARED)
);
CREATE INDEX IF NOT EXISTS build_cache_chain ON build_cache(chain_id);
CREATE TABLE IF NOT EXISTS build_cache_layers (
  key       TEXT NOT NULL REFERENCES build_cache(key) ON DELETE CASCADE,
  chain_id  TEXT NOT NULL,
  PRIMARY KEY (key, chain_id)
);
CREATE INDEX IF NOT EXISTS build_cache_layers_chain ON build_cache_layers(chain_id);
CREATE TABLE IF NOT EXISTS build_cache_sums (
  chain_id  TEXT NOT NULL,               -- the top layer of an immutable rootfs (a stage's result, an image)
  path      TEXT NOT NULL,               -- the source path as COPY --from names it
  options   TEXT NOT NULL,               -- owners and exclude patterns
  sum       TEXT NOT NULL,
  PRIMARY KEY (chain_id, path, options)
);
CREATE TABLE IF NOT EXISTS build_cache_mounts (
  id          TEXT PRIMARY KEY,          -- the cache mount's id
  dir         TEXT NOT NULL,             -- directory name under <root>/build-mounts
  created     INTEGER NOT NULL,
  last_used   INTEGER NOT NULL,
  usage_count INTEGER NOT NULL
);
`;

export interface CacheRecord {
  key: string;
  chainId: string;
  diffId: string;
  createdAt: string;
  lastUsed: number;
  usageCount: number;
  description: string;
}

export interface CacheMount {
  id: string;
  dir: string;
  created: number;
  lastUsed: number;
  usageCount: number;
}

const ready = new WeakSet<Db>();

interface RecordSql {
  key: string;
  chain_id: string;
  diff_id: string;
  created_at: string;
  last_used: number;
  usage_count: number;
  description: string;
}

const toRecord = (r: RecordSql): CacheRecord => ({
  key: r.key,
  chainId: r.chain_id,
  diffId: r.diff_id,
  createdAt: r.created_at,
  lastUsed: r.last_used,
  usageCount: r.usage_count,
  description: r.description,
});

export class BuildCacheDb {
  constructor(readonly db: Db) {
    if (!ready.has(db)) {
      db.exec(SCHEMA);
      ready.add(db);
    }
  }

  get(key: string): CacheRecord | null {
    const r = this.db.prepare('SELECT * FROM build_cache WHERE key = ?').get(key) as RecordSql | undefined;
    return r ? toRecord(r) : null;
  }

  all(): CacheRecord[] {
    return (this.db.prepare('SELECT * FROM build_cache ORDER BY last_used DESC').all() as RecordSql[]).map(toRecord);
  }

  /** Insert or replace a record and the chains it needs (its own and every one below). */
  put(r: CacheRecord, chains: string[]): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO build_cache (key, chain_id, diff_id, created_at, last_used, usage_count, description)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.key, r.chainId, r.diffId, r.createdAt, r.lastUsed, r.usageCount, r.description);
    this.db.prepare('DELETE FROM build_cache_layers WHERE key = ?').run(r.key);
    const ins = this.db.prepare('INSERT OR IGNORE INTO build_cache_layers (key, chain_id) VALUES (?, ?)');
    for (const c of chains) ins.run(r.key, c);
  }

  touch(key: string, now: number): void {
    this.db.prepare('UPDATE build_cache SET last_used = ?, usage_count = usage_count + 1 WHERE key = ?').run(now, key);
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM build_cache_layers WHERE key = ?').run(key);
    this.db.prepare('DELETE FROM build_cache WHERE key = ?').run(key);
  }

  /** Whether a cache record needs this layer (its own or one below it). */
  usesLayer(chainId: string): boolean {
    return this.db.prepare('SELECT 1 FROM build_cache_layers WHERE chain_id = ? LIMIT 1').get(chainId) !== undefined;
  }

  /** A remembered checksum of a path in an immutable rootfs. */
  sum(chainId: string, path: string, options: string): string | null {
    const r = this.db
      .prepare('SELECT sum FROM build_cache_sums WHERE chain_id = ? AND path = ? AND options = ?')
      .get(chainId, path, options) as { sum: string } | undefined;
    return r?.sum ?? null;
  }

  putSum(chainId: string, path: string, options: string, sum: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO build_cache_sums (chain_id, path, options, sum) VALUES (?, ?, ?, ?)')
      .run(chainId, path, options, sum);
  }

  clearSums(): void {
    this.db.prepare('DELETE FROM build_cache_sums').run();
  }

  mounts(): CacheMount[] {
    return (
      this.db.prepare('SELECT * FROM build_cache_mounts ORDER BY last_used DESC').all() as {
        id: string;
        dir: string;
        created: number;
        last_used: number;
        usage_count: number;
      }[]
    ).map((r) => ({ id: r.id, dir: r.dir, created: r.created, lastUsed: r.last_used, usageCount: r.usage_count }));
  }

  mount(id: string): CacheMount | null {
    const r = this.db.prepare('SELECT * FROM build_cache_mounts WHERE id = ?').get(id) as
      { id: string; dir: string; created: number; last_used: number; usage_count: number } | undefined;
    return r ? { id: r.id, dir: r.dir, created: r.created, lastUsed: r.last_used, usageCount: r.usage_count } : null;
  }

  putMount(m: CacheMount): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO build_cache_mounts (id, dir, created, last_used, usage_count) VALUES (?, ?, ?, ?, ?)',
      )
      .run(m.id, m.dir, m.created, m.lastUsed, m.usageCount);
  }

  deleteMount(id: string): void {
    this.db.prepare('DELETE FROM build_cache_mounts WHERE id = ?').run(id);
  }
}

/** For image and container removal: is this layer kept for the build cache? */
export function buildCacheUsesLayer(db: Db, chainId: string): boolean {
  return new BuildCacheDb(db).usesLayer(chainId);
}

/** Where RUN --mount=type=cache directories live. */
export function cacheMountsDir(store: Store): string {
  return join(store.layout.root, 'build-mounts');
}
