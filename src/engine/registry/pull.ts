/**
 * `pull`: a reference's image from its registry into the store. Layers the
 * store has (same chain) are not downloaded; the others download three at a
 * time (max-concurrent-downloads) and unpack while they download into
 * scratch space. A layer another process is pulling is waited for (pull
 * locks in the store), so it is unpacked once. The image, its names, its
 * manifests and the `pull` event become visible in one transaction once
 * everything is complete; a failure or a cancel leaves nothing. An image
 * already here as the registry has it costs one HEAD of its manifest; the
 * downloads and the commit (pull-fetch.ts) load only when there is
 * something to bring.
 */
import { BerthError } from '../errors.js';
import { parsePlatform, type Platform } from '../image/platform.js';
import {
  isValidTag,
  familiarName,
  familiarString,
  normalizedString,
  parseReference,
  repoName,
  withDefaultTag,
  type Reference,
} from '../reference/reference.js';
import type { Store } from '../store/store.js';
import type { PullOptions } from '../types.js';
import { hostPlatform } from './platform-match.js';
import { quickHeadDigest, type QuickHead } from './quick-head.js';
import { immediate } from '../store/db.js';
import type { Emit } from './progress.js';
import { fetchManifest, names, resolveImage } from './resolve-manifest.js';
import type { RegistryService } from './service.js';

/**
 * A pull that found its tag's image here through the plain-HTTP HEAD alone: what a pull replay
 * record (pull-record.ts) needs to let the native launcher answer the same line again.
 */
export interface PresentPull {
  /** The registry's host[:port], the repository path and tag, as the HEAD named them. */
  hostport: string;
  path: string;
  tag: string;
  head: QuickHead;
  /** The image, its tag and digest names (normalized). */
  image: string;
  tagName: string;
  digestName: string;
  /** The pull event: [type, action, actor, attributes JSON]. */
  event: [string, string, string, string];
}

function wantedPlatform(opts: PullOptions): { platform: Platform; explicit: boolean } {
  if (!opts.platform) return { platform: hostPlatform(), explicit: false };
  return { platform: parsePlatform(opts.platform, hostPlatform().architecture), explicit: true };
}

export async function pullImage(
  store: Store,
  service: RegistryService,
  input: string,
  opts: PullOptions,
  emit: Emit,
  signal: AbortSignal,
  present?: (p: PresentPull) => void,
): Promise<void> {
  const parsed = parseReference(input);
  const { platform, explicit } = wantedPlatform(opts);
  if (opts.allTags) {
    if (parsed.tag || parsed.digest) throw new BerthError('INVALID_ARGUMENT', "tag can't be used with --all-tags/-a");
    const tags = (await service.hostFor(parsed.domain, opts.auth).repository(parsed.path).tags(signal)).filter(
      isValidTag,
    );
    for (const tag of tags) await pullOne(store, service, { ...parsed, tag }, platform, explicit, emit, signal, opts);
    emit({ status: `Status: Downloaded newer image for ${familiarName(parsed)}` });
    return;
  }
  const ref = withDefaultTag(parsed);
  const r = await pullOne(store, service, ref, platform, explicit, emit, signal, opts, present);
  emit({
    status: `Status: ${r.updated ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarString(ref)}`,
  });
  emit({ aux: { ID: r.id, Digest: r.digest, Reference: normalizedString(ref) } });
}

/** The local name a pulled reference gets: its tag, or its digest name. */
const localName = (ref: Reference) => normalizedString(ref);

async function pullOne(
  store: Store,
  service: RegistryService,
  ref: Reference,
  platform: Platform,
  explicit: boolean,
  emit: Emit,
  signal: AbortSignal,
  opts: PullOptions,
  present?: (p: PresentPull) => void,
): Promise<{ id: string; digest: string; updated: boolean }> {
  // docker says this once the manifest is there (so not before an error), naming the repository path
  // (a digest pull's line is named by the whole reference, as docker names it)
  const pulling = () => emit({ status: `Pulling from ${ref.path}`, id: ref.digest ? familiarString(ref) : ref.tag! });
  const hosts = service.pullHosts(ref.domain, opts.auth);
  const platformOk = (id: string) => {
    if (!explicit) return true;
    const cfg = store.blobs.readJson<{ os?: string; architecture?: string; variant?: string }>(id);
    return `${cfg.os}/${cfg.architecture}` === `${platform.os}/${platform.architecture}`;
  };
  // Already here? One HEAD of the manifest tells (nothing at all for a digest we have).
  const had = ref.digest ? store.images.digestTarget(localName(ref)) : store.images.tagTarget(localName(ref));
  if (had && platformOk(had)) {
    let digest = ref.digest ?? null;
    let quick: QuickHead | null = null;
    const main = hosts[hosts.length - 1]!;
    if (!digest) {
      // Node's own http when nothing stands in the way; the full client otherwise (credentials, proxies)
      if (main.scheme === null && !opts.auth && !(await main.credentials())) {
        quick = await quickHeadDigest(service.ctx.transport, main.host, ref.path, ref.tag!, names(ref), signal);
        digest = quick?.digest ?? null;
      }
      digest ??= (await main.repository(ref.path).headManifest(ref.tag!, names(ref), signal))?.digest ?? null;
    }
    const digestName = `${repoName(ref)}@${digest}`;
    if (digest && store.images.digestTarget(digestName) === had) {
      // docker records a pull of an image that was up to date too
      const labels = store.blobs.readJson<{ config?: { Labels?: Record<string, string> | null } }>(had).config?.Labels;
      const attributes = { ...(labels ?? {}), name: familiarName(ref) };
      immediate(store.db, () =>
        store.event({ type: 'image', action: 'pull', actorId: familiarString(ref), attributes }),
      );
      if (quick?.scheme === 'http' && present)
        present({
          hostport: main.host,
          path: ref.path,
          tag: ref.tag!,
          head: quick,
          image: had,
          tagName: localName(ref),
          digestName,
          event: ['image', 'pull', familiarString(ref), JSON.stringify(attributes)],
        });
      pulling();
      emit({ status: `Digest: ${digest}` });
      return { id: had, digest, updated: false };
    }
  }
  const prefetched = await fetchManifest(hosts, ref, signal);
  pulling();
  const resolved = await resolveImage(hosts, ref, platform, explicit, signal, prefetched);
  const id = resolved.manifest.config.digest;
  // the downloads, unpacking and commit load only when something is to be pulled
  const { fetchLayersAndCommit } = await import('./pull-fetch.js');
  const updated = await fetchLayersAndCommit(store, service, ref, resolved, emit, signal);
  emit({ status: `Digest: ${resolved.digest}` });
  return { id, digest: resolved.digest, updated: updated || had !== id };
}
