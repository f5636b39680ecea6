/**
 * `push`: an image's layers, config and manifest to a registry, docker's
 * way: every layer announced (Preparing), then up to five at a time
 * (max-concurrent-uploads) checked, mounted or uploaded, the config sent
 * whole, the manifest put under the tag. The pushed manifest and its
 * RepoDigest are recorded with the `push` event in one transaction.
 */
import { BerthError, notFound } from '../errors.js';
import {
  familiarName,
  familiarString,
  normalizedString,
  parseReference,
  repoName,
  withDefaultTag,
  type Reference,
} from '../reference/reference.js';
import { immediate } from '../store/db.js';
import type { Store } from '../store/store.js';
import type { PushOptions } from '../types.js';
import { buildManifest } from './manifest.js';
import { MT } from './media-types.js';
import { pushLayer, type PushedLayer } from './push-layer.js';
import { pool } from './pull-fetch.js';
import { shortId, throttle, type Emit } from './progress.js';
import { RegistryDb } from './registry-db.js';
import type { RegistryService } from './service.js';

/** The tags of a repository in the store, sorted. */
function repoTags(store: Store, ref: Reference): string[] {
  const prefix = `${repoName(ref)}:`;
  return (
    store.db
      .prepare('SELECT name FROM tags WHERE name >= ? AND name < ? ORDER BY name')
      .all(prefix, `${prefix}\u{10FFFF}`) as {
      name: string;
    }[]
  ).map((r) => r.name.slice(prefix.length));
}

export async function pushImage(
  store: Store,
  service: RegistryService,
  input: string,
  opts: PushOptions,
  emit: Emit,
  signal: AbortSignal,
): Promise<void> {
  const parsed = parseReference(input);
  if (parsed.digest) throw new BerthError('INVALID_ARGUMENT', 'cannot push a digest reference');
  // docker names the repository before it looks for the image (a missing one is an error after this line)
  emit({ status: `The push refers to repository [${repoName(parsed)}]` });
  let tags: string[];
  if (opts.allTags) {
    if (parsed.tag) throw new BerthError('INVALID_ARGUMENT', "tag can't be used with --all-tags/-a");
    tags = repoTags(store, parsed);
    if (!tags.length) throw notFound(`An image does not exist locally with the tag: ${familiarName(parsed)}`);
  } else {
    const ref = withDefaultTag(parsed);
    if (!store.images.tagTarget(normalizedString(ref)))
      throw notFound(`An image does not exist locally with the tag: ${familiarName(parsed)}`);
    tags = [ref.tag!];
  }
  for (const tag of tags) await pushOne(store, service, { ...parsed, tag }, emit, signal, opts);
}

async function pushOne(
  store: Store,
  service: RegistryService,
  ref: Reference,
  emit: Emit,
  signal: AbortSignal,
  opts: PushOptions,
): Promise<void> {
  const id = store.images.tagTarget(normalizedString(ref));
  if (!id) throw notFound(`An image does not exist locally with the tag: ${familiarString(ref)}`);
  const reg = new RegistryDb(store.db);
  const oci = reg.manifestsOf(id).some((m) => m.mediaType === MT.ociManifest || m.mediaType === MT.ociIndex);
  const layers = store.images.layersOf(id);
  const repo = service.hostFor(ref.domain, opts.auth).repository(ref.path, ['pull', 'push']);
  for (const l of layers) emit({ status: 'Preparing', progressDetail: {}, id: shortId(l.diffId) });
  const limit = service.settings.maxConcurrentUploads;
  layers.forEach((l, i) => {
    if (i >= limit) emit({ status: 'Waiting', progressDetail: {}, id: shortId(l.diffId) });
  });
  const pushed: PushedLayer[] = new Array(layers.length);
  const inner = new AbortController();
  const stop = () => inner.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    await pool(
      layers.map((l, i) => async () => {
        const lid = shortId(l.diffId);
        const tick = throttle();
        pushed[i] = await pushLayer(
          store,
          reg,
          repo,
          ref.domain,
          l,
          oci,
          {
            status: (status) => emit({ status, progressDetail: {}, id: lid }),
            pushing: (current, total) => {
              if (tick(current >= total)) emit({ status: 'Pushing', progressDetail: { current, total }, id: lid });
            },
          },
          inner.signal,
        );
      }),
      limit,
      stop,
    );
  } catch (e) {
    // docker's words for a registry that wants credentials nobody gave: without the request
    if (e instanceof BerthError && e.code === 'UNAUTHORIZED' && e.message.endsWith(': no basic auth credentials'))
      throw new BerthError('UNAUTHORIZED', 'no basic auth credentials', { cause: e });
    throw e;
  } finally {
    signal.removeEventListener('abort', stop);
  }
  // the config, whole (a monolithic upload)
  const configBytes = store.blobs.read(id);
  if ((await repo.headBlob(id, signal)) === null) {
    const start = await repo.startUpload(null, signal);
    if (!start.mounted) await repo.finishUpload(start.location, id, configBytes, signal);
  }
  const manifest = buildManifest(oci, { digest: id, size: configBytes.length }, pushed);
  const mediaType = oci ? MT.ociManifest : MT.dockerManifest;
  const digest = await repo.putManifest(ref.tag!, manifest, mediaType, signal);
  store.blobs.put(manifest);
  immediate(store.db, () => {
    if (!store.images.image(id)) return;
    reg.addManifest(id, digest, mediaType);
    store.images.setDigest(`${repoName(ref)}@${digest}`, id);
    store.event({
      type: 'image',
      action: 'push',
      actorId: familiarString(ref),
      attributes: { name: familiarName(ref) },
    });
  });
  emit({ status: `${ref.tag}: digest: ${digest} size: ${manifest.length}` });
  emit({ aux: { Tag: ref.tag, Digest: digest, Size: manifest.length } });
}
