/**
 * `images` / `image ls`: docker's ImageList semantics. Untagged images with
 * children are intermediate and only shown with `all`; untagged images
 * without children are dangling and shown as <none>:<none>.
 */
import { invalidArg } from '../errors.js';
import { familiarString, parseReference } from '../reference/reference.js';
import type { Store } from '../store/store.js';
import type { ImageListOptions, ImageSummary } from '../types.js';
import { boolFilter, matchLabel, matchReference, untilNanos } from '../util/filters.js';
import { createdNanos, imageConfig, unixSeconds } from './config.js';
import { resolveImage } from './resolve.js';
import type { ImageRow } from './types.js';
import type { ImageUsers } from './users.js';

export const IMAGE_FILTERS = ['dangling', 'label', 'before', 'since', 'reference', 'until'];

export function familiar(name: string): string {
  return familiarString(parseReference(name));
}

export function summarize(
  store: Store,
  row: ImageRow,
  tags: string[],
  digests: string[],
  /** The containers created from it; -1 when not counted. */
  containers = -1,
): ImageSummary {
  const config = imageConfig(store, row.id);
  return {
    Id: row.id,
    ParentId: row.parent ?? '',
    RepoTags: tags.map(familiar),
    RepoDigests: digests.map(familiar),
    Created: unixSeconds(row.created),
    Size: row.size,
    SharedSize: -1,
    VirtualSize: row.size,
    Labels: config.config?.Labels ?? {},
    Containers: containers,
  };
}

function createdOf(store: Store, ref: string): bigint {
  const r = resolveImage(store.images, ref);
  return createdNanos(store.images.image(r.id)!.created);
}

/**
 * moby's ImageList: before/since compare creation times at full precision
 * (several values: the oldest "before", the newest "since"); until=
 * (a timestamp or a duration) bounds like before; the newest image first.
 */
export function listImages(store: Store, opts: ImageListOptions = {}, users?: ImageUsers): ImageSummary[] {
  const filters = opts.filters ?? new Map<string, string[]>();
  for (const key of filters.keys()) if (!IMAGE_FILTERS.includes(key)) throw invalidArg(`invalid filter '${key}'`);
  const dangling = filters.has('dangling') ? boolFilter(filters.get('dangling')!, 'dangling') : undefined;
  const bounds = [
    ...(filters.get('before') ?? []).map((r) => createdOf(store, r)),
    ...(filters.get('until') ?? []).map((u) => untilNanos(u)),
  ];
  const before = bounds.length ? bounds.reduce((a, b) => (b < a ? b : a)) : null;
  const sinceList = (filters.get('since') ?? []).map((r) => createdOf(store, r));
  const since = sinceList.length ? sinceList.reduce((a, b) => (b > a ? b : a)) : null;
  const labels = filters.get('label') ?? [];
  const refs = filters.get('reference') ?? [];
  const { tags, digests } = store.images.allNames();
  const rows = store.images.images();
  const counts = users?.containerCounts() ?? null;
  const hasChildren = new Set(rows.map((r) => r.parent).filter((p): p is string => !!p));
  const out: { s: ImageSummary; created: bigint }[] = [];
  for (const row of rows) {
    // dangling=true looks only at heads: images no other image builds on
    if (dangling === true && hasChildren.has(row.id)) continue;
    const created = createdNanos(row.created);
    if (before !== null && !(created < before)) continue;
    if (since !== null && !(created > since)) continue;
    let s = summarize(
      store,
      row,
      tags.get(row.id) ?? [],
      digests.get(row.id) ?? [],
      counts ? (counts.get(row.id) ?? 0) : -1,
    );
    if (labels.length && !labels.every((l) => matchLabel(s.Labels, l))) continue;
    if (refs.length) {
      const matched = s.RepoTags.filter((t) => refs.some((p) => matchReference(p, t)));
      const matchedDigests = s.RepoDigests.filter((t) => refs.some((p) => matchReference(p, t)));
      if (!matched.length && !matchedDigests.length) continue;
      s = { ...s, RepoTags: matched, RepoDigests: matchedDigests };
    }
    const untagged = s.RepoTags.length === 0 && s.RepoDigests.length === 0;
    if (untagged) {
      if (!opts.all && hasChildren.has(row.id)) continue;
      if (dangling === false) continue;
    } else if (dangling === true && s.RepoTags.length > 0) {
      continue;
    }
    out.push({ s, created });
  }
  out.sort((a, b) => (a.created === b.created ? (a.s.Id < b.s.Id ? -1 : 1) : a.created > b.created ? -1 : 1));
  return out.map((o) => o.s);
}
