/**
 * `rmi` and `image prune` with docker's rules (moby daemon/images
 * image_delete.go): removing one of several tags only untags; deleting by ID
 * an image tagged in several repositories needs force; running containers
 * block deletion even when forced, stopped ones unless forced; images with
 * children cannot be deleted; untagged parents left childless are pruned.
 * Layers go when no image and no container rests on them.
 */
import { removeRunPlan } from '../container/run-plan.js';
import { mkdirSync } from 'node:fs';
import { BerthError, invalidArg } from '../errors.js';
import { normalizedString, parseReference } from '../reference/reference.js';
import { immediate } from '../store/db.js';
import { makeScratch, removeTree } from '../store/scratch.js';
import type { Store } from '../store/store.js';
import type { DeleteItem, PruneReport } from '../types.js';
import { createdNanos, imageConfig } from './config.js';
import { familiar } from './list.js';
import { resolveImage } from './resolve.js';
import type { ImageUsers } from './users.js';
import { boolFilter, matchLabel, untilNanos } from '../util/filters.js';
import { RegistryDb } from '../registry/registry-db.js';

const short = (id: string) => id.slice(7, 19);

interface Conflict {
  error: BerthError;
  /** A container uses the image (docker's conflict.used). */
  used: boolean;
}

function conflict(id: string, hard: boolean, why: string, used = false): Conflict {
  return {
    error: new BerthError(
      hard ? 'IN_USE' : 'CONFLICT',
      `conflict: unable to delete ${short(id)} (${hard ? 'cannot' : 'must'} be forced) - ${why}`,
    ),
    used,
  };
}

function names(store: Store, id: string): string[] {
  return [...store.images.tagsOf(id), ...store.images.digestsOf(id)];
}

/** docker's checkImageDeleteConflict; `soft` adds the conflicts force overrides. */
function checkConflict(store: Store, users: ImageUsers, id: string, soft: boolean, activeRefs = soft): Conflict | null {
  if (store.images.children(id).length) return conflict(id, true, 'image has dependent child images');
  const using = users.containersUsing(id);
  const running = using.find((c) => c.running);
  if (running) return conflict(id, true, `image is being used by running container ${running.id.slice(0, 12)}`, true);
  if (activeRefs && names(store, id).length) return conflict(id, false, 'image is referenced in multiple repositories');
  const stopped = soft ? using.find((c) => !c.running) : undefined;
  if (stopped) return conflict(id, false, `image is being used by stopped container ${stopped.id.slice(0, 12)}`, true);
  return null;
}

function isDangling(store: Store, id: string): boolean {
  return !names(store, id).length && !store.images.children(id).length;
}

/** docker's isSingleReference: at most one tag, and digests only of that tag's repository. */
function isSingleReference(list: string[]): boolean {
  if (list.length <= 1) return list.length === 1;
  const tags = list.filter((n) => !n.includes('@'));
  if (tags.length > 1) return false;
  const digestRepos = new Set(list.filter((n) => n.includes('@')).map(repoOf));
  const single = tags[0] ?? list[0]!;
  return digestRepos.size === 1 && digestRepos.has(repoOf(single));
}

function repoOf(name: string): string {
  const ref = parseReference(name);
  return `${ref.domain}/${ref.path}`;
}

function untag(store: Store, id: string, name: string, out: DeleteItem[]): void {
  if (!store.images.removeTag(name)) store.images.removeDigest(name);
  store.event({ type: 'image', action: 'untag', actorId: id, attributes: { name } });
  out.push({ Untagged: familiar(name) });
}

/**
 * Delete the image row and the layers and blobs nothing else uses. Runs
 * inside the caller's transaction; directories are moved to `trash`.
 */
function deleteImageData(store: Store, users: ImageUsers, id: string, trash: string, out: DeleteItem[]): number {
  const reg = new RegistryDb(store.db);
  const manifests = reg.manifestsOf(id).map((m) => m.digest);
  const chains = store.images.deleteImage(id);
  removeRunPlan(store, id);
  store.event({ type: 'image', action: 'delete', actorId: id, attributes: {} });
  out.push({ Deleted: id });
  let freed = 0;
  const diffIdsGone: string[] = [];
  for (const chain of [...chains].reverse()) {
    if (store.images.layerUsedByImage(chain) || users.layerInUse(chain)) continue;
    const layer = store.images.layer(chain);
    if (!layer) continue;
    store.images.deleteLayer(chain);
    store.trashLayerDirs(trash, [chain]);
    freed += layer.size;
    diffIdsGone.push(layer.diffId);
    out.push({ Deleted: chain });
  }
  const stillUsed = new Set(store.images.layers().map((l) => l.diffId));
  for (const d of diffIdsGone) {
    if (stillUsed.has(d)) continue;
    store.blobs.trash(d, trash);
    // the compressed copies kept for pushes go with the layer
    for (const c of reg.dropLayerDigests(d)) if (c !== d && !stillUsed.has(c)) store.blobs.trash(c, trash);
  }
  for (const m of manifests) if (!reg.manifestInUse(m)) store.blobs.trash(m, trash);
  store.blobs.trash(id, trash);
  return freed;
}

/** docker's imageDeleteHelper. */
function deleteHelper(
  store: Store,
  users: ImageUsers,
  id: string,
  force: boolean,
  prune: boolean,
  quiet: boolean,
  trash: string,
  out: DeleteItem[],
  freed: { bytes: number },
): void {
  const c = checkConflict(store, users, id, !force);
  if (c) {
    // Ignore conflicts unless the image is dangling or in use by a container.
    if (quiet && (!isDangling(store, id) || c.used)) return;
    throw c.error;
  }
  const parent = store.images.image(id)?.parent ?? null;
  for (const name of names(store, id)) untag(store, id, name, out);
  freed.bytes += deleteImageData(store, users, id, trash, out);
  if (prune && parent && store.images.image(parent)) {
    deleteHelper(store, users, parent, false, true, true, trash, out, freed);
  }
}

function isIdInput(input: string, id: string): boolean {
  const hex = input.startsWith('sha256:') ? input.slice(7) : input;
  return /^[a-f0-9]+$/.test(hex) && id.slice(7).startsWith(hex);
}

/** docker's ImageDelete. */
function removeInTx(
  store: Store,
  users: ImageUsers,
  input: string,
  force: boolean,
  prune: boolean,
  trash: string,
  freed: { bytes: number },
): DeleteItem[] {
  const out: DeleteItem[] = [];
  const r = resolveImage(store.images, input);
  const id = r.id;
  let removedRef = false;
  if (r.kind !== 'id' || !isIdInput(input, id)) {
    const name = r.name ?? normalizedString(parseReference(input));
    if (!force && isSingleReference(names(store, id))) {
      const user = users.containersUsing(id)[0];
      if (user) {
        throw new BerthError(
          'CONFLICT',
          `conflict: unable to remove repository reference "${input}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${short(id)}`,
        );
      }
    }
    untag(store, id, name, out);
    if (!name.includes('@')) {
      // A removed tag takes the digests of its repository along when no other tag of it remains.
      const repo = repoOf(name);
      const rest = names(store, id);
      if (!rest.some((n) => !n.includes('@') && repoOf(n) === repo)) {
        for (const n of rest.filter((x) => x.includes('@') && repoOf(x) === repo)) untag(store, id, n, out);
      }
    }
    if (names(store, id).length) return out;
    removedRef = true;
  } else if (isSingleReference(names(store, id))) {
    const c = checkConflict(store, users, id, !force, false);
    if (c) throw c.error;
    for (const name of names(store, id)) untag(store, id, name, out);
  }
  deleteHelper(store, users, id, force, prune, removedRef, trash, out, freed);
  return out;
}

function withTrash<T>(store: Store, fn: (trash: string) => T): T {
  const trash = makeScratch(store.layout.tmpDir, 'trash');
  try {
    mkdirSync(trash, { recursive: true });
    return immediate(store.db, () => fn(trash));
  } finally {
    removeTree(trash);
  }
}

export function removeImage(
  store: Store,
  users: ImageUsers,
  input: string,
  opts: { force?: boolean; noPrune?: boolean } = {},
): DeleteItem[] {
  return withTrash(store, (trash) => removeInTx(store, users, input, !!opts.force, !opts.noPrune, trash, { bytes: 0 }));
}

export const PRUNE_FILTERS = ['label', 'label!', 'until', 'dangling'];

/** How many local ancestors an image has (children are pruned before their parents). */
function depth(store: Store, id: string): number {
  let n = 0;
  for (let p = store.images.image(id)?.parent ?? null; p && n < 10_000; p = store.images.image(p)?.parent ?? null) n++;
  return n;
}

/**
 * docker's ImagePrune: dangling images (heads without a tag), or with all
 * every image not used by a container; intermediate images (untagged, with
 * children) are left to the pruning of their children. Children go before
 * their parents, so a chain of tagged images goes in one run.
 */
export function pruneImages(
  store: Store,
  users: ImageUsers,
  opts: { all?: boolean; filters?: Map<string, string[]> } = {},
): PruneReport {
  const filters = opts.filters ?? new Map<string, string[]>();
  for (const key of filters.keys()) if (!PRUNE_FILTERS.includes(key)) throw invalidArg(`invalid filter '${key}'`);
  const danglingOnly = filters.has('dangling') ? boolFilter(filters.get('dangling')!, 'dangling') : !opts.all;
  const untilValues = filters.get('until') ?? [];
  if (untilValues.length > 1) throw invalidArg('more than one until filter specified');
  const until = untilValues.length ? untilNanos(untilValues[0]!) : null;
  const freed = { bytes: 0 };
  const deleted = withTrash(store, (trash) => {
    const out: DeleteItem[] = [];
    const rows = store.images.images();
    const parents = new Set(rows.map((r) => r.parent).filter(Boolean));
    const top = rows.filter((row) => {
      if (parents.has(row.id) && (danglingOnly || !names(store, row.id).length)) return false;
      if (users.containersUsing(row.id).length) return false;
      const labels = imageConfig(store, row.id).config?.Labels ?? {};
      if (!(filters.get('label') ?? []).every((l) => matchLabel(labels, l))) return false;
      if (!(filters.get('label!') ?? []).every((l) => !matchLabel(labels, l))) return false;
      return until === null || createdNanos(row.created) <= until;
    });
    const order = top.map((row) => ({ row, depth: depth(store, row.id) })).sort((a, b) => b.depth - a.depth);
    const attempt = (input: string) => {
      try {
        out.push(...removeInTx(store, users, input, false, true, trash, freed));
      } catch (e) {
        if (!(e instanceof BerthError && (e.code === 'CONFLICT' || e.code === 'IN_USE'))) throw e;
      }
    };
    for (const { row } of order) {
      if (!store.images.image(row.id)) continue; // pruned with a child
      const tags = store.images.tagsOf(row.id);
      const refs = [...tags, ...store.images.digestsOf(row.id)];
      if (!refs.length) attempt(row.id);
      else if (!danglingOnly || !tags.length)
        for (const ref of refs) if (store.images.image(row.id)) attempt(familiar(ref));
    }
    return out;
  });
  return { deleted, spaceReclaimed: freed.bytes };
}

export function tagImage(store: Store, source: string, targetName: string): void {
  const { id } = resolveImage(store.images, source);
  immediate(store.db, () => {
    store.images.setTag(targetName, id, Date.now());
    store.event({ type: 'image', action: 'tag', actorId: id, attributes: { name: targetName } });
  });
}
