/**
 * The part of `pull` that brings what the store does not have: the layers
 * (three downloads at a time, each unpacking while it downloads, under the
 * store's pull locks) and the commit of the image, its names, manifests and
 * the `pull` event in one transaction. pull.ts loads it only when the image
 * is not already here: a pull of an image present asks the registry for its
 * manifest digest and nothing else.
 */
import { existsSync } from 'node:fs';
import { commitImages, type PreparedLayer } from '../archive/commit-images.js';
import { BerthError } from '../errors.js';
import { chainIds } from '../layer/chain.js';
import { familiarName, familiarString, normalizedString, repoName, type Reference } from '../reference/reference.js';
import { immediate } from '../store/db.js';
import { makeScratch, removeTree } from '../store/scratch.js';
import type { Store } from '../store/store.js';
import { BackgroundFlush } from './background-flush.js';
import { pullLayer } from './pull-layer.js';
import { shortId, throttle, type Emit } from './progress.js';
import { RegistryDb } from './registry-db.js';
import type { Resolved } from './resolve-manifest.js';
import type { RegistryService } from './service.js';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new BerthError('CANCELLED', 'pull cancelled'));
      },
      { once: true },
    );
  });

/** Run jobs at most `limit` at a time; the first failure stops the others (onFail) and is thrown. */
export async function pool(jobs: (() => Promise<void>)[], limit: number, onFail: () => void = () => {}): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (next < jobs.length && !failed) {
      const job = jobs[next++]!;
      try {
        await job();
      } catch (e) {
        if (!failed) {
          failed = e;
          onFail();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (failed) throw failed;
}

export async function fetchLayersAndCommit(
  store: Store,
  service: RegistryService,
  ref: Reference,
  r: Resolved,
  emit: Emit,
  signal: AbortSignal,
): Promise<boolean> {
  const reg = new RegistryDb(store.db);
  const id = r.manifest.config.digest;
  const diffIds = r.config.rootfs.diff_ids;
  const chains = chainIds(diffIds);
  const layers = r.manifest.layers;
  const have = (i: number) =>
    !!store.images.layer(chains[i]!) && existsSync(store.layout.layerDiff(chains[i]!.slice(7)));
  const prepared: PreparedLayer[] = new Array(layers.length);
  const locked: string[] = [];
  const todo: number[] = [];
  // docker says nothing of the layers of an image it has under another name (its config is here)
  const whole = !!store.images.image(id) && layers.every((_, i) => have(i));
  layers.forEach((l, i) => {
    if (have(i)) {
      if (!whole) emit({ status: 'Already exists', progressDetail: {}, id: shortId(l.digest) });
    } else {
      emit({ status: 'Pulling fs layer', progressDetail: {}, id: shortId(l.digest) });
      todo.push(i);
    }
  });
  const scratch = makeScratch(store.layout.tmpDir, 'pull');
  const flush = new BackgroundFlush(scratch);
  let downloaded = false;
  const inner = new AbortController();
  const stop = () => inner.abort();
  signal.addEventListener('abort', stop, { once: true });
  const outer = signal;
  signal = inner.signal;
  try {
    // docker's "Waiting": the layers past the downloads that start at once
    for (const i of todo.slice(service.settings.maxConcurrentDownloads))
      emit({ status: 'Waiting', progressDetail: {}, id: shortId(layers[i]!.digest) });
    // Take the pull locks of every layer still missing at once, or none: a process never holds some while
    // waiting for others, so two pulls cannot wait for each other. Layers another process brings meanwhile
    // are then here ("Already exists").
    let mine: number[] = [];
    for (;;) {
      if (signal.aborted) throw new BerthError('CANCELLED', 'pull cancelled');
      const got = immediate(store.db, () => {
        const need = todo.filter((i) => !have(i));
        const holder = reg.tryLockAll(need.map((i) => chains[i]!));
        return holder === null ? need : null;
      });
      if (got) {
        mine = got;
        locked.push(...got.map((i) => chains[i]!));
        break;
      }
      await sleep(150, signal);
    }
    for (const i of todo)
      if (!mine.includes(i)) emit({ status: 'Already exists', progressDetail: {}, id: shortId(layers[i]!.digest) });
    const job = (i: number) => async () => {
      const l = layers[i]!;
      const lid = shortId(l.digest);
      const tick = throttle();
      let got = 0;
      const layer = await pullLayer(
        store,
        r.repo,
        l,
        diffIds[i]!,
        scratch,
        i,
        {
          downloading: (current) => {
            flush.add(current - got);
            got = current;
            if (tick(current === l.size)) {
              emit({ status: 'Downloading', progressDetail: { current, total: l.size }, id: lid });
            }
          },
          downloaded: () => {
            emit({ status: 'Verifying Checksum', progressDetail: {}, id: lid });
            emit({ status: 'Download complete', progressDetail: {}, id: lid });
          },
          retrying: () => undefined,
        },
        signal,
      );
      emit({ status: 'Extracting', progressDetail: { current: l.size, total: l.size }, id: lid });
      emit({ status: 'Pull complete', progressDetail: {}, id: lid });
      prepared[i] = layer;
      downloaded = true;
    };
    await pool(
      mine.map((i) => job(i)),
      service.settings.maxConcurrentDownloads,
      stop,
    );
    // layers that were here, or that another process brought meanwhile
    layers.forEach((_, i) => {
      if (prepared[i]) return;
      const row = store.images.layer(chains[i]!);
      if (!row) throw new BerthError('IO', `layer ${chains[i]} went away during the pull; try again`);
      prepared[i] = { diffId: row.diffId, blobPath: '', treeRoot: '', size: row.size, tarSize: row.tarSize };
    });
    await flush.settle();
    // the local name: its tag (a digest pull's name is its digest name, below)
    const name = ref.digest ? null : normalizedString(ref);
    const digestName = `${repoName(ref)}@${r.digest}`;
    const labels: Record<string, string> = r.config.config?.Labels ?? {};
    let updated = downloaded;
    await commitImages(store, scratch, [{ id, configBytes: r.configBytes, layers: prepared, repoTags: [] }], {
      action: 'pull',
      signal,
      inTx: () => {
        for (const m of r.manifests) {
          store.blobs.put(m.bytes);
          reg.addManifest(id, m.digest, m.mediaType);
        }
        layers.forEach((l, i) =>
          reg.addLayerDigest({
            diffId: diffIds[i]!,
            digest: l.digest,
            mediaType: l.mediaType,
            size: l.size,
            registry: ref.domain,
            repo: ref.path,
          }),
        );
        if (name && store.images.tagTarget(name) !== id) {
          store.images.setTag(name, id, Date.now(), false);
          updated = true;
        }
        if (store.images.digestTarget(digestName) !== id) store.images.setDigest(digestName, id);
        reg.unlock(locked);
        locked.length = 0;
        store.event({
          type: 'image',
          action: 'pull',
          actorId: familiarString(ref),
          attributes: { ...labels, name: familiarName(ref) },
        });
      },
    });
    return updated;
  } finally {
    outer.removeEventListener('abort', stop);
    if (locked.length) immediate(store.db, () => reg.unlock(locked));
    removeTree(scratch);
  }
}
