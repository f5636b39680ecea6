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
import { quickHeadDigest } from './quick-head.js';
import type { Emit } from './progress.js';
import { fetchManifest, names, resolveImage } from './resolve-manifest.js';
import type { RegistryService } from './service.js';

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
  const r = await pullOne(store, service, ref, platform, explicit, emit, signal, opts);
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
    if (!digest) {
      const main = hosts[hosts.length - 1]!;
      // Node's own http when nothing stands in the way; the full client otherwise (credentials, proxies)
      if (main.scheme === null && !opts.auth && !(await main.credentials())) {
        digest = await quickHeadDigest(service.ctx.transport, main.host, ref.path, ref.tag!, names(ref), signal);
      }
      digest ??= (await main.repository(ref.path).headManifest(ref.tag!, names(ref), signal))?.digest ?? null;
    }
    if (digest && store.images.digestTarget(`${repoName(ref)}@${digest}`) === had) {
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
