/** GET /system/df in dockerd's shape: layers size, images, containers (with sizes), volumes (with usage), build cache. */
import type { Backend } from '../../client/api.js';
import { badRequest } from '../errors.js';
import { versionLess } from '../version.js';
import { containerListItem } from './container-summary.js';

const KINDS = ['container', 'image', 'volume', 'build-cache'];

export async function diskUsageDoc(
  backend: Backend,
  types: string[],
  version: string,
): Promise<Record<string, unknown>> {
  const want = (k: string) => !types.length || types.includes(k);
  for (const t of types) if (!KINDS.includes(t)) throw badRequest(`invalid type: ${t}`);
  const du = await backend.diskUsage();
  const out: Record<string, unknown> = {};
  if (want('image')) {
    const summaries = new Map((await backend.listImages({ all: true })).map((i) => [i.Id, i]));
    out.LayersSize = du.layersSize;
    out.Images = du.images.map((i) => {
      const s = summaries.get(i.id);
      const doc: Record<string, unknown> = {
        Containers: i.containers,
        Created: i.created,
        Id: i.id,
        Labels: s?.Labels ?? null,
        ParentId: s?.ParentId ?? '',
        RepoDigests: s?.RepoDigests ?? [],
        RepoTags: i.tags,
        SharedSize: i.sharedSize,
        Size: i.size,
      };
      if (versionLess(version, '1.44')) doc.VirtualSize = i.size;
      return doc;
    });
  }
  if (want('container')) {
    const now = new Date();
    out.Containers = (await backend.listContainers({ all: true, size: true })).map((c) => containerListItem(c, now));
  }
  if (want('volume')) {
    const usage = new Map(du.volumes.map((v) => [v.name, v]));
    out.Volumes = (await backend.listVolumes()).map((v) => ({
      ...v,
      UsageData: { Size: usage.get(v.Name)?.size ?? -1, RefCount: usage.get(v.Name)?.links ?? 0 },
    }));
  }
  if (want('build-cache')) out.BuildCache = [];
  return out;
}
