/**
 * The opened store: layout, metadata database, blobs. One per Engine. Opening
 * creates the directories, migrates the schema, and sweeps what a crashed
 * process left behind.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { ImageDb } from '../image/image-db.js';
import { BlobStore } from './blobs.js';
import { immediate, openDb, type Db } from './db.js';
import { Layout, MAX_RUNROOT, type EngineDirs } from './paths.js';
import { makeScratch, removeTree, sweepScratch } from './scratch.js';
import { RegistryDb } from '../registry/registry-db.js';
import { SHARED } from '../shared-constants.js';

/** How many events the store keeps (docker's daemon keeps 256 in memory; berth keeps more, on disk). */
export const EVENTS_KEPT = SHARED.events.kept;

export interface EventRecord {
  type: 'image' | 'container' | 'volume' | 'network';
  action: string;
  actorId: string;
  attributes: Record<string, string>;
}

/**
 * The store is private to its owner: layer trees hold setuid binaries and
 * device nodes from images, the database holds containers' environments. No
 * other user may walk into it (0700); containers reach their files through
 * their own mounts (overlayfs and bind mounts check the path at mount time,
 * with the mounter's credentials), never through these paths. Stores made by
 * an older berth (0711, 0755) are brought to these modes when opened.
 */
export const PRIVATE_DIR_MODE = 0o700;

function privateDirs(layout: Layout): void {
  const dirs = [
    layout.root,
    layout.blobsDir.replace(/\/sha256$/, ''),
    layout.blobsDir,
    layout.layersDir,
    layout.linksDir,
    layout.containersDir,
    layout.volumesDir,
    layout.plansDir,
    layout.tmpDir,
  ];
  for (const d of dirs) {
    mkdirSync(d, { recursive: true, mode: PRIVATE_DIR_MODE });
    if ((statSync(d).mode & 0o7777) !== PRIVATE_DIR_MODE) chmodSync(d, PRIVATE_DIR_MODE);
  }
}

export class Store {
  readonly layout: Layout;
  readonly db: Db;
  readonly images: ImageDb;
  readonly blobs: BlobStore;

  private constructor(layout: Layout, db: Db) {
    this.layout = layout;
    this.db = db;
    this.images = new ImageDb(db);
    this.blobs = new BlobStore(layout);
  }

  static open(dirs: EngineDirs): Store {
    const layout = new Layout(dirs);
    if (Buffer.byteLength(layout.runroot) > MAX_RUNROOT) {
      throw new BerthError(
        'INVALID_ARGUMENT',
        `the runtime directory ${layout.runroot} is too long (at most ${MAX_RUNROOT} bytes: container control sockets live there)`,
      );
    }
    try {
      privateDirs(layout);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') {
        throw new BerthError(
          'PERMISSION_DENIED',
          `cannot create the store at ${layout.root}: permission denied (use --root or run as root)`,
          { cause: e },
        );
      }
      throw new BerthError('IO', `cannot create the store at ${layout.root}: ${(e as Error).message}`, { cause: e });
    }
    const store = new Store(layout, openDb(layout.db));
    if (sweepScratch(layout.tmpDir) > 0) {
      store.sweepOrphanLayers();
      // pull locks of processes that are gone (a killed pull)
      new RegistryDb(store.db).sweepLocks();
    }
    return store;
  }

  close(): void {
    this.db.close();
  }

  /**
   * Remove layer directories that no layer row points to: what a process
   * killed between moving a layer into place and committing leaves. Runs in
   * an IMMEDIATE transaction so it cannot race a concurrent commit.
   */
  sweepOrphanLayers(): string[] {
    const trash = makeScratch(this.layout.tmpDir, 'trash');
    const moved = immediate(this.db, () => {
      const known = new Set(this.images.layers().map((l) => l.chainId.slice(7)));
      const out: string[] = [];
      for (const name of readdirSync(this.layout.layersDir)) {
        if (!known.has(name)) {
          renameSync(join(this.layout.layersDir, name), join(trash, name));
          out.push(name);
        }
      }
      return out;
    });
    removeTree(trash);
    return moved;
  }

  /** Move layer directories out of the way inside a transaction; delete them after. */
  trashLayerDirs(trash: string, chainIds: string[]): void {
    for (const c of chainIds) {
      const dir = this.layout.layerDir(c.slice(7));
      if (existsSync(dir)) renameSync(dir, join(trash, c.slice(7)));
    }
  }

  /**
   * Record an event. A container's carries its labels among the attributes, as dockerd's do (so
   * `--filter label=...` finds it: docker-compose follows a project's events that way); a container
   * already deleted (destroy) has them passed in.
   */
  event(e: EventRecord, now = Date.now()): void {
    if (e.type === 'container') e = { ...e, attributes: { ...this.containerLabels(e.actorId), ...e.attributes } };
    const hr = process.hrtime.bigint() % 1_000_000n;
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO events (time_ms, nanos, type, action, actor_id, attributes) VALUES (?, ?, ?, ?, ?, ?)')
      .run(now, Number(hr), e.type, e.action, e.actorId, JSON.stringify(e.attributes));
    // keep the table bounded: every thousandth event drops all but the newest EVENTS_KEPT (the launcher does the same)
    if (Number(lastInsertRowid) % SHARED.events.pruneEvery === 0) {
      this.db.prepare('DELETE FROM events WHERE seq <= ?').run(Number(lastInsertRowid) - EVENTS_KEPT);
    }
  }

  private containerLabels(id: string): Record<string, string> {
    const row = this.db
      .prepare<[string], { labels: string | null }>(
        "SELECT json_extract(config, '$.Labels') AS labels FROM containers WHERE id = ?",
      )
      .get(id);
    return row?.labels ? (JSON.parse(row.labels) as Record<string, string>) : {};
  }
}
