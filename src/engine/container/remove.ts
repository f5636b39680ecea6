/** `rm` and `container prune`: a container goes with its directories, and layers nothing else uses. */
import { rmSync } from 'node:fs';
import { cgroupDir, cgroupLayout, containerCgroupPath } from '../cgroup/hierarchy.js';
import { isBerthError, wrongState } from '../errors.js';
import { monitorGone, monitorKill, monitorNoRestart, monitorStop, readMonitorState } from '../runtime/monitor.js';
import { containerPaths } from '../runtime/container-fs.js';
import { immediate } from '../store/db.js';
import { makeScratch, removeTree } from '../store/scratch.js';
import type { Store } from '../store/store.js';
import { containerDb, findContainer, isRunning, stateOf } from './records.js';
import type { ContainerRecord } from './types.js';
import { removeAnonymousVolumes, volumeDb } from '../volume/service.js';
import { releaseRows, releaseStale } from '../network/release.js';
import { buildCacheUsesLayer } from '../build/cache/cache-db.js';

/** Layers of a container that no image and no other container still rest on. */
function orphanLayers(store: Store, rec: ContainerRecord): string[] {
  return rec.layers.filter(
    (c) => !store.images.layerUsedByImage(c) && !containerDb(store).layerInUse(c) && !buildCacheUsesLayer(store.db, c),
  );
}

function removeCgroup(id: string): void {
  const path = containerCgroupPath(id);
  const layout = cgroupLayout();
  const dirs = layout.v2
    ? [cgroupDir(path, 'memory')]
    : [...new Set([...layout.controllers.keys()].map((c) => cgroupDir(path, c)))];
  for (const d of dirs) {
    if (!d) continue;
    try {
      rmSync(d, { recursive: false });
    } catch {
      /* gone, or still busy: the monitor removes it when it exits */
    }
  }
}

/**
 * Wait for the container's monitor to exit. After the container's last exit
 * it still runs its exit command (a berth process that records the exit in
 * this root); removing the container under it would race that process.
 */
async function monitorSettled(run: string): Promise<void> {
  const ms = readMonitorState(run);
  if (!ms?.monitorAlive) return;
  // created under its monitor but never released: nothing else will end it
  if (ms.status === 'created') await monitorStop(run, 9, 0).catch(() => undefined);
  await monitorGone(run, 30_000);
}

export interface RemoveOptions {
  force?: boolean;
  volumes?: boolean;
  /** false only for the monitor's own exit command, which its monitor waits for. */
  waitForMonitor?: boolean;
}

export async function removeContainer(store: Store, ref: string, opts: RemoveOptions = {}): Promise<string> {
  let rec: ContainerRecord;
  try {
    rec = findContainer(store, ref);
  } catch (e) {
    // removed meanwhile by its own exit command (--rm): done once that has finished
    if (isBerthError(e, 'NOT_FOUND') && /^[a-f0-9]{64}$/.test(ref) && opts.waitForMonitor !== false) {
      await monitorSettled(store.layout.containerRun(ref));
    }
    throw e;
  }
  let st = stateOf(store, rec);
  const run = store.layout.containerRun(rec.id);
  if (isRunning(st)) {
    if (!opts.force) {
      if (st.status === 'paused')
        throw wrongState(
          `You cannot remove a paused container ${rec.id}. Unpause and then stop the container before attempting removal or force remove`,
        );
      if (isRunning(st))
        throw wrongState(
          `You cannot remove a running container ${rec.id}. Stop the container before attempting removal or force remove`,
        );
    }
    try {
      await monitorNoRestart(run);
      if (st.status === 'paused') {
        const { setFrozen } = await import('../cgroup/control.js');
        await monitorKill(run, 9).catch(() => undefined);
        await setFrozen(containerCgroupPath(rec.id), false).catch(() => undefined);
      } else {
        await monitorKill(run, 9).catch(() => undefined);
      }
    } catch {
      /* the monitor is already gone */
    }
    for (let i = 0; i < 500; i++) {
      st = stateOf(store, rec);
      if (!isRunning(st)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  if (opts.waitForMonitor !== false) await monitorSettled(run);
  // what it still holds on its networks (a killed monitor tore nothing down)
  releaseStale(store, rec.id);
  const p = containerPaths(store.layout, rec.id);
  const trash = makeScratch(store.layout.tmpDir, 'trash');
  try {
    immediate(store.db, () => {
      const db = containerDb(store);
      if (!db.get(rec.id)) return;
      const anonymous = volumeDb(store)
        .volumesOf(rec.id)
        .filter((v) => v.anonymous)
        .map((v) => v.volume);
      releaseRows(store, rec.id); // held by the monitor running this removal as its exit command
      db.delete(rec.id);
      store.db.prepare('DELETE FROM container_volumes WHERE container_id = ?').run(rec.id);
      if (opts.volumes) removeAnonymousVolumes(store, anonymous, trash);
      const gone = orphanLayers(store, rec);
      for (const c of gone) {
        const layer = store.images.layer(c);
        store.images.deleteLayer(c);
        store.trashLayerDirs(trash, [c]);
        if (layer && !store.images.layers().some((l) => l.diffId === layer.diffId))
          store.blobs.trash(layer.diffId, trash);
      }
      store.event({
        type: 'container',
        action: 'destroy',
        actorId: rec.id,
        attributes: { ...rec.config.Labels, name: rec.name, image: rec.imageName },
      });
    });
  } finally {
    removeTree(trash);
  }
  removeTree(p.dir);
  // the exit command's own removal leaves the runtime state to its monitor (see native/PROTOCOL.md)
  if (opts.waitForMonitor !== false) removeTree(p.run);
  removeCgroup(rec.id);
  return rec.id;
}

export async function pruneContainers(
  store: Store,
  filters: Map<string, string[]>,
  matches: (rec: ContainerRecord) => boolean,
): Promise<{ deleted: string[]; spaceReclaimed: number }> {
  void filters;
  const { duSync } = await import('./size.js');
  const deleted: string[] = [];
  let space = 0;
  for (const rec of containerDb(store).all()) {
    const st = stateOf(store, rec);
    if (isRunning(st) || st.live || !matches(rec)) continue;
    space += duSync(containerPaths(store.layout, rec.id).upper);
    await removeContainer(store, rec.id, {});
    deleted.push(rec.id);
  }
  return { deleted, spaceReclaimed: space };
}
