/**
 * The metadata database: SQLite in WAL mode, shared by every berth process
 * that uses the same root. Writes that must see a consistent store (commit an
 * image and the layer directories it points to, delete layers) run in
 * IMMEDIATE transactions, which serialise writers across processes.
 */
import { chmodSync, closeSync, constants, existsSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { BerthError } from '../errors.js';
import { migrations } from './migrations.js';

export type Db = Database.Database;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement for constant SQL, prepared once per connection
 * (preparing costs more than running a simple query: `ps` with 300
 * containers looked up two rows each and spent most of its time preparing).
 * Only for statements used as they are (get, all, run), never changed with
 * pluck(), raw() or expand(), nor iterated.
 */
export function statement(db: Db, sql: string): Database.Statement {
  let m = statements.get(db);
  if (!m) {
    m = new Map();
    statements.set(db, m);
  }
  let st = m.get(sql);
  if (!st) {
    st = db.prepare(sql);
    m.set(sql, st);
  }
  return st;
}

/**
 * better-sqlite3's compiled addon, named by its path: without it the package finds the addon through the
 * `bindings` package, which tries a dozen paths and reads stack traces (some milliseconds at every start, a
 * good part of a short command's time). Where npm put it, else (another layout) left to `bindings`.
 */
let addonPath: string | null | undefined;
function nativeBinding(): { nativeBinding?: string } {
  if (addonPath === undefined) {
    let path: string | null = null;
    try {
      const pkg = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
      path = join(dirname(pkg), 'build', 'Release', 'better_sqlite3.node');
      if (!existsSync(path)) path = null;
    } catch {
      path = null;
    }
    addonPath = path;
  }
  return addonPath ? { nativeBinding: addonPath } : {};
}

/**
 * The database and its WAL and shared-memory files are readable by their
 * owner only (containers' environments often carry secrets). SQLite gives
 * the -wal and -shm files the database file's mode, so the file is made
 * 0600 before SQLite opens it, and files of an older store are narrowed.
 */
function privateDbFiles(path: string): void {
  closeSync(openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600));
  for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    try {
      if ((statSync(f).mode & 0o777) !== 0o600) chmodSync(f, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

export function openDb(path: string): Db {
  let db: Db;
  try {
    privateDbFiles(path);
    db = new Database(path, { timeout: 30_000, ...nativeBinding() });
  } catch (e) {
    throw new BerthError('IO', `cannot open the metadata database ${path}: ${(e as Error).message}`, { cause: e });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new BerthError(
      'NOT_SUPPORTED',
      `the store was written by a newer berth (schema ${current}, this berth knows ${migrations.length})`,
    );
  }
  if (current === migrations.length) return;
  immediate(db, () => {
    // Re-read inside the lock: another process may have migrated meanwhile.
    const v = db.pragma('user_version', { simple: true }) as number;
    for (let i = v; i < migrations.length; i++) {
      db.exec(migrations[i]!);
      db.pragma(`user_version = ${i + 1}`);
    }
  });
}

/** Run fn inside BEGIN IMMEDIATE ... COMMIT (rolled back if fn throws). */
export function immediate<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
