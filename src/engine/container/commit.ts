/**
 * `commit`: a container's upper dir becomes a new layer on top of its image,
 * with the config and history docker records (author, comment, changes,
 * created_by). The container is paused meanwhile unless told not to.
 */
import { createReadStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { commitImages } from '../archive/commit-images.js';
import { ENGINE_VERSION, hostArchitecture } from '../archive/import.js';
import { setFrozen } from '../cgroup/control.js';
import { containerCgroupPath } from '../cgroup/hierarchy.js';
import { applyChanges } from '../image/changes.js';
import { imageConfig } from '../image/config.js';
import type { ImageConfig } from '../image/types.js';
import { tarFromUpper } from '../layer/tar-out.js';
import { unpackLayer } from '../layer/unpack.js';
import { normalizedString, parseRepoTag, withDefaultTag } from '../reference/reference.js';
import { containerPaths } from '../runtime/container-fs.js';
import { sha256 } from '../store/blobs.js';
import { makeScratch, removeTree } from '../store/scratch.js';
import type { Store } from '../store/store.js';
import { TarWriter } from '../tar/writer.js';
import type { CommitOptions } from '../types.js';
import { formatRFC3339Nano } from '../util/time.js';
import { findContainer, stateOf } from './records.js';
import { commandOf } from './query.js';

export async function commitContainer(store: Store, ref: string, o: CommitOptions = {}): Promise<string> {
  const rec = findContainer(store, ref);
  const tag = o.repo ? normalizedString(withDefaultTag(parseRepoTag(o.repo))) : undefined;
  let base: ImageConfig;
  try {
    base = imageConfig(store, rec.imageId);
  } catch {
    base = { rootfs: { type: 'layers', diff_ids: [] } };
  }
  const config = applyChanges({ ...rec.config }, o.changes ?? []);
  const p = containerPaths(store.layout, rec.id);
  const scratch = makeScratch(store.layout.tmpDir, 'commit');
  const st = stateOf(store, rec);
  const pause = o.pause !== false && st.status === 'running';
  try {
    // 1. the layer tar, hashed and written as a blob while the container is frozen
    const writer = store.blobs.writerAt(join(scratch, 'blob-0'));
    const out = new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _enc, cb) {
        try {
          writer.write(chunk);
          cb();
        } catch (e) {
          cb(e as Error);
        }
      },
    });
    // as docker's commit: paused through the freezer, with pause and unpause events
    const event = (action: string) =>
      store.event({ type: 'container', action, actorId: rec.id, attributes: { name: rec.name, image: rec.imageName } });
    if (pause) {
      await setFrozen(containerCgroupPath(rec.id), true);
      event('pause');
    }
    try {
      const tar = new TarWriter(out);
      await tarFromUpper(tar, p.upper);
      await tar.finish();
    } finally {
      if (pause) {
        await setFrozen(containerCgroupPath(rec.id), false);
        event('unpause');
      }
    }
    writer.close(false);
    const diffId = writer.digest();
    // 2. its unpacked tree, from the blob just written
    const treeRoot = join(scratch, 'layer-0');
    mkdirSync(join(treeRoot, 'diff'), { recursive: true });
    const { size } = await unpackLayer(
      createReadStream(writer.tmpPath, { highWaterMark: 1 << 20 }),
      join(treeRoot, 'diff'),
    );
    // 3. the image config, as docker writes it
    const created = formatRFC3339Nano(new Date());
    const image: ImageConfig = {
      architecture: base.architecture ?? hostArchitecture(),
      ...(o.author ? { author: o.author } : {}),
      ...(o.message ? { comment: o.message } : {}),
      config: { ...config, Image: rec.imageName },
      container: rec.id,
      container_config: rec.config,
      created,
      docker_version: ENGINE_VERSION,
      history: [
        ...(base.history ?? []),
        {
          created,
          ...(o.author ? { author: o.author } : {}),
          created_by: commandOf(rec),
          ...(o.message ? { comment: o.message } : {}),
        },
      ],
      os: base.os ?? 'linux',
      rootfs: { type: 'layers', diff_ids: [...(base.rootfs?.diff_ids ?? []), diffId] },
    };
    const configBytes = Buffer.from(JSON.stringify(image));
    const id = sha256(configBytes);
    const parentLayers = store.images.layersOf(rec.imageId);
    if (parentLayers.length !== (base.rootfs?.diff_ids ?? []).length) {
      throw new Error(`the container's image ${rec.imageId} is gone; its layers cannot be committed on`);
    }
    await commitImages(
      store,
      scratch,
      [
        {
          id,
          configBytes,
          layers: [
            ...parentLayers.map((l) => ({
              diffId: l.diffId,
              blobPath: '',
              treeRoot: '',
              size: l.size,
              tarSize: l.tarSize,
            })),
            { diffId, blobPath: writer.tmpPath, treeRoot, size, tarSize: writer.bytes },
          ],
          repoTags: tag ? [tag] : [],
          parent: store.images.image(rec.imageId) ? rec.imageId : undefined,
        },
      ],
      { action: 'commit' },
    );
    store.event({ type: 'container', action: 'commit', actorId: rec.id, attributes: { name: rec.name, imageID: id } });
    return id;
  } finally {
    removeTree(scratch);
  }
}
