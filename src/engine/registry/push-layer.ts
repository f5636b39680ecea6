/**
 * One layer of a push. What the store knows of the layer's compressed forms
 * (layer_digests) decides: the repository already has it ("Layer already
 * exists"), another repository of the same registry has it (a cross-
 * repository mount: "Mounted from ..."), a compressed copy is kept here
 * (uploaded as it is), or it is gzip-compressed from its tar on the way out
 * (in blocks on every core: archive/parallel-gzip.ts),
 * the compressed bytes kept and their digest remembered, so no later push
 * compresses it again.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parallelGzip } from '../archive/parallel-gzip.js';
import { fromSystemError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Repository } from './client.js';
import { MT, layerCompression } from './media-types.js';
import type { LayerDigest, RegistryDb } from './registry-db.js';

export interface PushedLayer {
  digest: string;
  size: number;
  mediaType: string;
}

export interface PushLayerEvents {
  status(s: string): void;
  pushing(current: number, total: number): void;
}

/** The media type of a gzip layer in the manifest's family. */
const gzipType = (oci: boolean) => (oci ? MT.ociLayerGzip : MT.dockerLayer);

/** A known compressed form usable in this manifest (docker manifests take gzip layers only). */
function usable(k: LayerDigest, oci: boolean): boolean {
  const c = layerCompression(k.mediaType);
  return oci ? c !== null : c === 'gzip';
}

/** The same bytes under the manifest's family of media types. */
function asFamily(mt: string, oci: boolean): string {
  const c = layerCompression(mt);
  if (c === 'gzip') return gzipType(oci);
  return mt;
}

async function* counted(src: AsyncIterable<Buffer>, each: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const c of src) {
    each(c.length);
    yield c;
  }
}

export async function pushLayer(
  store: Store,
  reg: RegistryDb,
  repo: Repository,
  registry: string,
  layer: { diffId: string; tarSize: number },
  oci: boolean,
  events: PushLayerEvents,
  signal?: AbortSignal,
): Promise<PushedLayer> {
  const known = reg.layerDigests(layer.diffId).filter((k) => usable(k, oci));
  const remember = (d: PushedLayer) => reg.addLayerDigest({ diffId: layer.diffId, ...d, registry, repo: repo.path });
  const result = (k: { digest: string; size: number; mediaType: string }): PushedLayer => ({
    digest: k.digest,
    size: k.size,
    mediaType: asFamily(k.mediaType, oci),
  });
  // 1. the repository has it already
  const digests = [...new Set(known.map((k) => k.digest))];
  for (const d of digests) {
    const size = await repo.headBlob(d, signal);
    if (size !== null) {
      const k = known.find((x) => x.digest === d)!;
      const r = result(k);
      remember(r);
      events.status('Layer already exists');
      return r;
    }
  }
  // 2. another repository of this registry has it: mount
  for (const k of known.filter((x) => x.registry === registry && x.repo !== repo.path)) {
    const m = await repo.startUpload({ digest: k.digest, from: k.repo }, signal);
    if (m.mounted) {
      const r = result(k);
      remember(r);
      events.status(`Mounted from ${k.repo}`); // the repository path, as docker names it
      return r;
    }
    // not mounted: the registry started an ordinary upload instead; leave it to expire
  }
  // 3. a compressed copy kept here: upload it as it is
  const kept = known.find((k) => store.blobs.has(k.digest));
  if (kept) {
    const total = store.blobs.size(kept.digest);
    let sent = 0;
    const body = counted(createReadStream(store.blobs.path(kept.digest), { highWaterMark: 1 << 20 }), (n) => {
      sent += n;
      events.pushing(sent, total);
    });
    await upload(repo, kept.digest, body, signal);
    const r = result(kept);
    remember(r);
    events.status('Pushed');
    return r;
  }
  // 4. compress it now, keep the compressed bytes, remember the digest
  const writer = store.blobs.writer();
  const hash = createHash('sha256');
  let read = 0;
  let size = 0;
  // compressed on every core (pigz's way) at zlib's default level, as docker compresses with its default
  const tar = counted(createReadStream(store.blobs.path(layer.diffId), { highWaterMark: 1 << 20 }), (n) => {
    read += n;
    events.pushing(read, layer.tarSize);
  });
  const gz = parallelGzip(tar);
  const body = counted(gz, (n) => (size += n));
  const tee = (async function* () {
    for await (const c of body) {
      hash.update(c);
      writer.write(c);
      yield c;
    }
  })();
  let location: string;
  try {
    location = await startAndSend(repo, tee, signal);
  } catch (e) {
    void gz.return(undefined).catch(() => undefined); // ends the reading of the tar
    writer.abort();
    throw e;
  }
  const digest = 'sha256:' + hash.digest('hex');
  // the kept copy is flushed beside the last request (and the other layers' uploads), not after it
  const flushed = writer.flush().then(
    () => null,
    (e: unknown) => e,
  );
  try {
    await repo.finishUpload(location, digest, null, signal);
  } catch (e) {
    await flushed;
    writer.abort();
    throw e;
  }
  const flushError = await flushed;
  if (flushError) {
    writer.abort();
    throw fromSystemError(flushError, 'cannot flush the compressed layer to disk');
  }
  writer.commit(digest);
  const r = { digest, size, mediaType: gzipType(oci) };
  reg.addLayerDigest({ diffId: layer.diffId, ...r, registry: '', repo: '' });
  remember(r);
  events.status('Pushed');
  return r;
}

async function startAndSend(repo: Repository, body: AsyncIterable<Buffer>, signal?: AbortSignal): Promise<string> {
  const start = await repo.startUpload(null, signal);
  if (start.mounted) throw new Error('unreachable');
  return repo.patchUpload(start.location, body, null, signal);
}

/** Stream a blob whose digest is known: one PATCH with all of it, then the PUT that names the digest. */
async function upload(
  repo: Repository,
  digest: string,
  body: AsyncIterable<Buffer>,
  signal?: AbortSignal,
): Promise<void> {
  const location = await startAndSend(repo, body, signal);
  await repo.finishUpload(location, digest, null, signal);
}
