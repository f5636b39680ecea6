/**
 * `rmi` and `image prune` with docker's rules (moby daemon/images
 * image_delete.go): removing one of several tags only untags; deleting by ID
 * an image tagged in several repositories needs force; running containers
 * block deletion even when forced, stopped ones unless forced; images with
 * children cannot be deleted; untagged parents left childless are pruned.
 * Layers go when no image and no container rests on them.
 */
import { mkdirSync } from 'node:fs';
import { BerthError, invalidArg } from '../errors.js';
import { normalizedString, parseReference } from '../reference/reference.js';
import { immediate } from '../store/db.js';
import { makeScratch, removeTree } from '../store/scratch.js';
import type { Store } from '../store/store.js';
import type { DeleteItem, PruneReport } from '../types.js';
import { imageConfig, unixSeconds } from './config.js';
import { familiar } from './list.js';
import { resolveImage } from './resolve.js';
import type { ImageUsers } from './users.js';
import { matchLabel, parseUntil } from '../util/filters.js';

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
  const chains = store.images.deleteImage(id);
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
  for (const d of diffIdsGone) if (!stillUsed.has(d)) store.blobs.trash(d, trash);
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
  return withTrash(store, (trash) =>
    removeInTx(store, users, input, !!opts.force, !opts.noPrune, trash, { bytes: 0 }),
  );
}

export const PRUNE_FILTERS = ['label', 'label!', 'until', 'dangling'];

export function pruneImages(
  store: Store,
  users: ImageUsers,
  opts: { all?: boolean; filters?: Map<string, string[]> } = {},
): PruneReport {
  const filters = opts.filters ?? new Map<string, string[]>();
  for (const key of filters.keys()) if (!PRUNE_FILTERS.includes(key)) throw invalidArg(`invalid filter '${key}'`);
  let danglingOnly = !opts.all;
  const d = filters.get('dangling');
  if (d?.length) danglingOnly = !['false', '0'].includes(d[0]!.toLowerCase());
  const until = filters.get('until')?.map((u) => parseUntil(u));
  const freed = { bytes: 0 };
  const deleted = withTrash(store, (trash) => {
    const out: DeleteItem[] = [];
    const rows = store.images.images();
    const parents = new Set(rows.map((r) => r.parent).filter(Boolean));
    for (const row of rows) {
      if (parents.has(row.id) || !store.images.image(row.id)) continue;
      if (users.containersUsing(row.id).length) continue;
      const labels = imageConfig(store, row.id).config?.Labels ?? {};
      if (!(filters.get('label') ?? []).every((l) => matchLabel(labels, l))) continue;
      if (!(filters.get('label!') ?? []).every((l) => !matchLabel(labels, l))) continue;
      if (until && !until.every((u) => unixSeconds(row.created) * 1000 < u)) continue;
      const tags = store.images.tagsOf(row.id);
      const names = [...tags, ...store.images.digestsOf(row.id)];
      try {
        if (names.length) {
          if (danglingOnly && tags.length) continue;
          for (const name of names) {
            if (!store.images.image(row.id)) break;
            out.push(...removeInTx(store, users, familiar(name), false, true, trash, freed));
          }
        } else {
          out.push(...removeInTx(store, users, row.id, false, true, trash, freed));
        }
      } catch (e) {
        if (e instanceof BerthError && (e.code === 'CONFLICT' || e.code === 'IN_USE')) continue;
        throw e;
      }
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
