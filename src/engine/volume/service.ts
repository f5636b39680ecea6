/** Named and anonymous volumes: create, list, inspect, remove, prune, disk usage. */
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError, invalidArg, notFound } from '../errors.js';
import { duSync } from '../container/size.js';
import { immediate } from '../store/db.js';
import { makeScratch, removeTree } from '../store/scratch.js';
import type { Store } from '../store/store.js';
import { boolFilter, checkFilterKeys, matchLabel } from '../util/filters.js';
import { volumeNameError, volumeOptionsError } from './mount-spec.js';
import { VolumeDb, type VolumeRow } from './volume-db.js';

export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface VolumeInfo {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Options: Record<string, string>;
  Scope: 'local';
  UsageData?: { Size: number; RefCount: number };
}

export function volumeDb(store: Store): VolumeDb {
  return new VolumeDb(store.db);
}

export function volumeData(store: Store, name: string): string {
  return join(store.layout.volume(name), '_data');
}

/** RFC3339 with seconds, as docker prints volume creation times. */
const rfc3339 = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function volumeInfo(store: Store, v: VolumeRow, usage?: { size: number; refs: number }): VolumeInfo {
  return {
    CreatedAt: v.created,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: volumeData(store, v.name),
    Name: v.name,
    Options: v.options,
    Scope: 'local',
    ...(usage ? { UsageData: { Size: usage.size, RefCount: usage.refs } } : {}),
  };
}

export interface VolumeCreate {
  name?: string;
  driver?: string;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  anonymous?: boolean;
}

/** Why a volume cannot be created, as docker words it, or null. */
export function volumeRefusal(name: string, driver: string, options: Record<string, string>): BerthError | null {
  if (driver !== 'local') return notFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  const why = volumeNameError(name) ?? volumeOptionsError(options);
  return why ? invalidArg(`create ${name}: ${why}`) : null;
}

/** Make the directory and the row; call inside a transaction when several go together. */
export function ensureVolume(store: Store, o: VolumeCreate): VolumeRow {
  const db = volumeDb(store);
  const driver = o.driver || 'local';
  const options = o.options ?? {};
  const anonymous = !o.name;
  const name = o.name || newVolumeName();
  const refused = volumeRefusal(name, driver, options);
  if (refused) throw refused;
  const existing = db.get(name);
  if (existing) return existing;
  // <root>/volumes/<name> is private; _data is the root of the mount containers see
  mkdirSync(store.layout.volume(name), { recursive: true, mode: 0o700 });
  mkdirSync(volumeData(store, name), { recursive: true, mode: 0o755 });
  const row: VolumeRow = {
    name,
    driver,
    created: rfc3339(),
    labels: { ...(o.labels ?? {}), ...(anonymous || o.anonymous ? { [ANONYMOUS_LABEL]: '' } : {}) },
    options,
    anonymous: anonymous || !!o.anonymous,
  };
  db.insert(row);
  store.event({ type: 'volume', action: 'create', actorId: name, attributes: { driver } });
  return row;
}

/** The name of a new anonymous volume (64 hex digits, as docker's). */
export function newVolumeName(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('hex');
}

export function createVolume(store: Store, o: VolumeCreate): VolumeInfo {
  return volumeInfo(
    store,
    immediate(store.db, () => ensureVolume(store, o)),
  );
}

export function inspectVolume(store: Store, name: string): VolumeInfo {
  const v = volumeDb(store).get(name);
  if (!v) throw notFound(`get ${name}: no such volume`);
  return volumeInfo(store, v);
}

export const VOLUME_FILTERS = ['dangling', 'name', 'label', 'label!', 'driver'];

export function listVolumes(store: Store, filters: Map<string, string[]> = new Map()): VolumeInfo[] {
  checkFilterKeys(filters, VOLUME_FILTERS);
  const db = volumeDb(store);
  const refs = db.counts();
  const dangling = filters.has('dangling') ? boolFilter(filters.get('dangling')!, 'dangling') : undefined;
  return db
    .all()
    .filter((v) => {
      if (dangling !== undefined && (refs.get(v.name) ?? 0) === 0) return dangling;
      if (dangling !== undefined) return !dangling;
      return true;
    })
    .filter((v) => (filters.get('name') ?? []).every((n) => v.name.includes(n)))
    .filter((v) => (filters.get('label') ?? []).every((l) => matchLabel(v.labels, l)))
    .filter((v) => (filters.get('label!') ?? []).every((l) => !matchLabel(v.labels, l)))
    .filter((v) => (filters.get('driver') ?? []).every((d) => v.driver === d))
    .map((v) => volumeInfo(store, v));
}

/** Drop rows and move directories to trash inside a transaction. */
function dropVolume(store: Store, name: string, trash: string): number {
  const dir = store.layout.volume(name);
  const size = duSync(dir);
  volumeDb(store).delete(name);
  store.db.prepare('DELETE FROM container_volumes WHERE volume = ?').run(name);
  try {
    renameSync(dir, join(trash, `vol-${name}`));
  } catch {
    /* already gone */
  }
  store.event({ type: 'volume', action: 'destroy', actorId: name, attributes: {} });
  return size;
}

export function withTrash<T>(store: Store, fn: (trash: string) => T): T {
  const trash = makeScratch(store.layout.tmpDir, 'trash');
  try {
    return immediate(store.db, () => fn(trash));
  } finally {
    removeTree(trash);
  }
}

/**
 * `volume rm`: refused while a container uses it; with force, refused only
 * while a running container holds it.
 */
export function removeVolume(
  store: Store,
  name: string,
  force: boolean,
  running: (containerId: string) => boolean,
): void {
  withTrash(store, (trash) => {
    const db = volumeDb(store);
    if (!db.get(name)) {
      if (force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = db.users(name);
    const busy = force ? users.filter(running) : users;
    if (busy.length) throw new BerthError('IN_USE', `remove ${name}: volume is in use - [${busy.join(', ')}]`);
    dropVolume(store, name, trash);
  });
}

/** `volume prune`: unused anonymous volumes, or with all every unused volume. */
export function pruneVolumes(
  store: Store,
  o: { all?: boolean; filters?: Map<string, string[]> } = {},
): { deleted: string[]; spaceReclaimed: number } {
  const filters = o.filters ?? new Map<string, string[]>();
  checkFilterKeys(filters, ['label', 'label!', 'all']);
  const all = o.all || (filters.get('all') ?? []).some((v) => ['1', 'true'].includes(v.toLowerCase()));
  return withTrash(store, (trash) => {
    const db = volumeDb(store);
    const deleted: string[] = [];
    let space = 0;
    for (const v of db.all()) {
      if (db.users(v.name).length) continue;
      if (!all && !v.anonymous) continue;
      if (!(filters.get('label') ?? []).every((l) => matchLabel(v.labels, l))) continue;
      if (!(filters.get('label!') ?? []).every((l) => !matchLabel(v.labels, l))) continue;
      space += dropVolume(store, v.name, trash);
      deleted.push(v.name);
    }
    return { deleted, spaceReclaimed: space };
  });
}

/** Remove anonymous volumes a removed container used (rm -v), unless others still use them. */
export function removeAnonymousVolumes(store: Store, names: string[], trash: string): void {
  const db = volumeDb(store);
  for (const n of names) {
    const v = db.get(n);
    if (v?.anonymous && !db.users(n).length) dropVolume(store, n, trash);
  }
}

export function volumeUsage(store: Store): { name: string; size: number; links: number }[] {
  const db = volumeDb(store);
  const refs = db.counts();
  return db
    .all()
    .map((v) => ({ name: v.name, size: duSync(store.layout.volume(v.name)), links: refs.get(v.name) ?? 0 }));
}

/** Is the volume's data directory empty (copy-up applies)? */
export function volumeEmpty(store: Store, name: string): boolean {
  try {
    return readdirSync(volumeData(store, name)).length === 0;
  } catch {
    return true;
  }
}
