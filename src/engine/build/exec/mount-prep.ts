/**
 * What a RUN step's mounts become on the host before its container starts:
 * cache mounts as persistent directories of the store (build-mounts/),
 * bind mounts of the context, a stage or an image (read-only binds, or a
 * private copy when written to or when .dockerignore hides part of them),
 * tmpfs, secrets as files (mode 0400 unless told) or environment variables,
 * the heredoc script. Everything temporary lives in the step's directory.
 */
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import type { OciMount } from '../../runtime/spec.js';
import type { Store } from '../../store/store.js';
import { BuildCacheDb, cacheMountsDir } from '../cache/cache-db.js';
import { copySource, TreeWriter } from '../fs/copy.js';
import { EMPTY_VIEW, resolveIn, type FsView } from '../fs/view.js';
import type { PlannedMount, RunStep } from '../plan/types.js';

export interface MountSources {
  /** The build context (for binds without from=). */
  context: FsView;
  /** The context has a .dockerignore hiding files: binds of it are copies. */
  contextFiltered: boolean;
  /** A stage's or image's rootfs view for from=. */
  rootfs(m: PlannedMount): Promise<FsView>;
  secrets: ReadonlyMap<string, Buffer>;
}

export interface PreparedMounts {
  mounts: OciMount[];
  /** Mount points to make in the init layer: [path, 'd' | 'f']. */
  stubs: [string, 'd' | 'f'][];
  /** Secrets given as environment variables. */
  env: string[];
  release(): void;
}

/** Cache mounts held by this process (sharing=locked waits, private takes its own). */
const held = new Map<string, Promise<void>>();

async function cacheDir(store: Store, m: PlannedMount, dir: string, release: (() => void)[]): Promise<string> {
  const db = new BuildCacheDb(store.db);
  const id = m.id;
  if (m.sharing === 'locked') {
    while (held.has(id)) await held.get(id);
  } else if (m.sharing === 'private' && held.has(id)) {
    const tmp = join(dir, `cache-${release.length}`);
    mkdirSync(tmp, { mode: m.mode ?? 0o755 });
    chownSync(tmp, m.uid ?? 0, m.gid ?? 0);
    return tmp;
  }
  let done!: () => void;
  const p = new Promise<void>((r) => (done = r));
  if (!held.has(id)) {
    held.set(id, p);
    release.push(() => {
      if (held.get(id) === p) held.delete(id);
      done();
    });
  }
  const now = Date.now();
  const rec = db.mount(id);
  const name = rec?.dir ?? createHash('sha256').update(id).digest('hex');
  const path = join(cacheMountsDir(store), name);
  if (!existsSync(path)) {
    mkdirSync(cacheMountsDir(store), { recursive: true, mode: 0o700 });
    mkdirSync(path, { mode: m.mode ?? 0o755 });
    chmodSync(path, m.mode ?? 0o755);
    chownSync(path, m.uid ?? 0, m.gid ?? 0);
  }
  db.putMount({ id, dir: name, created: rec?.created ?? now, lastUsed: now, usageCount: (rec?.usageCount ?? 0) + 1 });
  return path;
}

/** A private copy of a source path (a writable bind, or a context with ignored files). */
function copyOf(view: FsView, path: string, into: string): string {
  mkdirSync(into, { recursive: true });
  const w = new TreeWriter(into, EMPTY_VIEW);
  const st = view.lstat(resolveIn(view, path, true));
  if (!st) throw new BerthError('NOT_FOUND', `bind source ${path} not found`);
  if (st.isDirectory()) {
    copySource(w, view, path, '/', { chown: null, keepOwners: true });
    return into;
  }
  copySource(w, view, path, '/file', { chown: null, keepOwners: true });
  return join(into, 'file');
}

export async function prepareMounts(
  store: Store,
  step: RunStep,
  dir: string,
  src: MountSources,
): Promise<PreparedMounts> {
  const mounts: OciMount[] = [];
  const stubs: [string, 'd' | 'f'][] = [];
  const env: string[] = [];
  const release: (() => void)[] = [];
  try {
    let n = 0;
    for (const m of step.mounts) {
      n++;
      const ro = m.readonly ? ['ro'] : [];
      if (m.type === 'tmpfs') {
        mounts.push({
          destination: m.target,
          type: 'tmpfs',
          source: 'tmpfs',
          options: ['nosuid', 'nodev', ...(m.size ? [`size=${m.size}`] : []), ...ro],
        });
        stubs.push([m.target, 'd']);
        continue;
      }
      if (m.type === 'secret') {
        const data = src.secrets.get(m.id);
        if (!data) {
          if (m.required) throw new BerthError('NOT_FOUND', `secret ${m.id}: not found`);
          continue;
        }
        if (m.env) env.push(`${m.env}=${data.toString('utf8')}`);
        if (!m.target) continue;
        const file = join(dir, `secret-${n}`);
        writeFileSync(file, data, { mode: 0o400 });
        chmodSync(file, m.mode ?? 0o400);
        chownSync(file, m.uid ?? 0, m.gid ?? 0);
        mounts.push({ destination: m.target, type: 'bind', source: file, options: ['rbind', 'rprivate', 'ro'] });
        stubs.push([m.target, 'f']);
        continue;
      }
      if (m.type === 'cache') {
        let path = await cacheDir(store, m, dir, release);
        if (m.source) path = join(path, resolveIn(EMPTY_VIEW, m.source, true));
        mkdirSync(path, { recursive: true });
        mounts.push({ destination: m.target, type: 'bind', source: path, options: ['rbind', 'rprivate', ...ro] });
        stubs.push([m.target, 'd']);
        continue;
      }
      // bind
      const view = m.src ? await src.rootfs(m) : src.context;
      const rel = resolveIn(view, m.source, true);
      const st = view.lstat(rel);
      if (!st) throw new BerthError('NOT_FOUND', `failed to compute cache key: "/${rel}" not found: not found`);
      const copy = !m.readonly || (!m.src && src.contextFiltered);
      const host = copy ? copyOf(view, '/' + rel, join(dir, `bind-${n}`)) : view.hostPath(rel);
      mounts.push({ destination: m.target, type: 'bind', source: host, options: ['rbind', 'rprivate', ...ro] });
      stubs.push([m.target, st.isDirectory() ? 'd' : 'f']);
    }
    if (step.script) {
      const file = join(dir, 'script');
      writeFileSync(file, step.script.data, { mode: 0o755 });
      mounts.push({
        destination: `/dev/pipes/${step.script.name}`,
        type: 'bind',
        source: file,
        options: ['rbind', 'rprivate', 'ro'],
      });
    }
    return { mounts, stubs, env, release: () => release.forEach((r) => r()) };
  } catch (e) {
    release.forEach((r) => r());
    throw e;
  }
}
