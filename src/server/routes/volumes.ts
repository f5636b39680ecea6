/** The volume group: create, list, inspect, remove, prune. */
import type { ServerResponse } from 'node:http';
import { readJson } from '../body.js';
import { decode, stringMap } from '../decode.js';
import { notImplemented } from '../errors.js';
import { boolParam, filtersParam } from '../query.js';
import { sendEmpty, sendJson } from '../respond.js';
import type { Ctx, Route } from '../router.js';
import { versionLess } from '../version.js';

async function list(ctx: Ctx, res: ServerResponse): Promise<void> {
  const vols = await ctx.backend.listVolumes(filtersParam(ctx.query));
  sendJson(res, 200, { Volumes: vols, Warnings: null });
}

async function create(ctx: Ctx, res: ServerResponse): Promise<void> {
  const b = decode<{
    Name?: string;
    Driver?: string;
    DriverOpts?: Record<string, string>;
    Labels?: Record<string, string>;
    ClusterVolumeSpec?: unknown;
  }>(await readJson(ctx.req), {
    struct: 'CreateOptions',
    fields: { Name: 'string', Driver: 'string', DriverOpts: stringMap, Labels: stringMap, ClusterVolumeSpec: 'any' },
  });
  if (b.ClusterVolumeSpec) throw notImplemented('berth has no cluster volumes (ClusterVolumeSpec)');
  const v = await ctx.backend.createVolume({
    ...(b.Name ? { name: b.Name } : {}),
    ...(b.Driver ? { driver: b.Driver } : {}),
    ...(b.Labels ? { labels: b.Labels } : {}),
    ...(b.DriverOpts ? { options: b.DriverOpts } : {}),
  });
  sendJson(res, 201, v);
}

async function inspect(ctx: Ctx, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await ctx.backend.inspectVolume(ctx.params.name!));
}

async function remove(ctx: Ctx, res: ServerResponse): Promise<void> {
  await ctx.backend.removeVolume(ctx.params.name!, boolParam(ctx.query, 'force'));
  sendEmpty(res);
}

async function prune(ctx: Ctx, res: ServerResponse): Promise<void> {
  const filters = filtersParam(ctx.query);
  // from API 1.42 only anonymous volumes go unless all=true; before, every unused volume
  const allValues = filters.get('all');
  filters.delete('all');
  const all =
    versionLess(ctx.version, '1.42') || (allValues ?? []).some((v) => ['true', '1'].includes(v.toLowerCase()));
  const r = await ctx.backend.pruneVolumes({ all, filters });
  sendJson(res, 200, { VolumesDeleted: r.deleted.length ? r.deleted : null, SpaceReclaimed: r.spaceReclaimed });
}

export const volumeRoutes: Route[] = [
  { method: 'GET', pattern: '/volumes', handler: list },
  { method: 'POST', pattern: '/volumes/create', handler: create },
  { method: 'POST', pattern: '/volumes/prune', handler: prune },
  { method: 'GET', pattern: '/volumes/:name*', handler: inspect },
  { method: 'DELETE', pattern: '/volumes/:name*', handler: remove },
  {
    method: 'PUT',
    pattern: '/volumes/:name*',
    handler: async () => {
      throw notImplemented('berth has no cluster volumes to update');
    },
  },
];
