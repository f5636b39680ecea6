/** The image group: list, inspect, history, tag, remove, prune (pull, push and search: registry.ts). */
import type { ServerResponse } from 'node:http';
import { badRequest } from '../errors.js';
import { boolParam, filtersParam } from '../query.js';
import { sendJson } from '../respond.js';
import type { Ctx, Route } from '../router.js';
import { versionLess } from '../version.js';
import { createImage } from './image-transfer.js';

/** Fields dockerd stopped sending in later API versions. */
function imageSummaryFor(version: string, s: Record<string, unknown>): Record<string, unknown> {
  const out = { ...s };
  if (!versionLess(version, '1.44')) delete out.VirtualSize;
  return out;
}

function imageInspectFor(version: string, doc: Record<string, unknown>): Record<string, unknown> {
  const out = { ...doc };
  if (!versionLess(version, '1.44')) delete out.VirtualSize;
  if (!versionLess(version, '1.45')) {
    delete out.Container;
    delete out.ContainerConfig;
  }
  return out;
}

async function list(ctx: Ctx, res: ServerResponse): Promise<void> {
  const filters = filtersParam(ctx.query);
  // the old "filter" parameter (API < 1.41) is a reference filter
  const legacy = ctx.query.get('filter');
  if (legacy) filters.set('reference', [...(filters.get('reference') ?? []), legacy]);
  const items = await ctx.backend.listImages({ all: boolParam(ctx.query, 'all'), filters });
  sendJson(
    res,
    200,
    items.map((i) => imageSummaryFor(ctx.version, i as unknown as Record<string, unknown>)),
  );
}

async function inspect(ctx: Ctx, res: ServerResponse): Promise<void> {
  sendJson(res, 200, imageInspectFor(ctx.version, await ctx.backend.inspectImage(ctx.params.name!)));
}

async function history(ctx: Ctx, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await ctx.backend.imageHistory(ctx.params.name!));
}

async function tag(ctx: Ctx, res: ServerResponse): Promise<void> {
  const repo = ctx.query.get('repo') ?? '';
  const t = ctx.query.get('tag') ?? '';
  if (!repo) throw badRequest('repository name must have at least one component');
  await ctx.backend.tagImage(ctx.params.name!, t ? `${repo}:${t}` : repo);
  res.writeHead(201, { 'Content-Length': '0' });
  res.end();
}

async function remove(ctx: Ctx, res: ServerResponse): Promise<void> {
  const items = await ctx.backend.removeImage(ctx.params.name!, {
    force: boolParam(ctx.query, 'force'),
    noPrune: boolParam(ctx.query, 'noprune'),
  });
  sendJson(res, 200, items);
}

async function prune(ctx: Ctx, res: ServerResponse): Promise<void> {
  const filters = filtersParam(ctx.query);
  const dangling = filters.get('dangling');
  const all = dangling ? ['false', '0'].includes(dangling[dangling.length - 1]!.toLowerCase()) : false;
  filters.delete('dangling');
  const r = await ctx.backend.pruneImages({ all, filters });
  sendJson(res, 200, { ImagesDeleted: r.deleted.length ? r.deleted : null, SpaceReclaimed: r.spaceReclaimed });
}

export const imageRoutes: Route[] = [
  { method: 'GET', pattern: '/images/json', handler: list },
  { method: 'POST', pattern: '/images/create', handler: createImage },
  { method: 'POST', pattern: '/images/prune', handler: prune },
  { method: 'GET', pattern: '/images/:name*/json', handler: inspect },
  { method: 'GET', pattern: '/images/:name*/history', handler: history },
  { method: 'POST', pattern: '/images/:name*/tag', handler: tag },
  { method: 'DELETE', pattern: '/images/:name*', handler: remove },
];
