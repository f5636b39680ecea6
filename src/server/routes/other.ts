/**
 * Builds (routes/build.ts) and their cache, and what berth does not have,
 * answered as dockerd answers for what it lacks: BuildKit sessions, plugins
 * (none are installed: an empty list, 404 for a name), and swarm (an
 * inactive node's 503), so that `docker inspect NAME` and `docker system
 * prune` go through the same steps as against dockerd.
 */
import type { ServerResponse } from 'node:http';
import { HttpError, notImplemented } from '../errors.js';
import { sendJson } from '../respond.js';
import type { Ctx, Route } from '../router.js';
import { boolParam, filtersParam } from '../query.js';
import { build } from './build.js';

const SWARM =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

const swarm = async () => {
  throw new HttpError(503, SWARM);
};

/** POST /build/prune?all=&filters=: the build cache. */
async function buildPrune(ctx: Ctx, res: ServerResponse): Promise<void> {
  const r = await ctx.backend.pruneBuildCache({ all: boolParam(ctx.query, 'all'), filters: filtersParam(ctx.query) });
  sendJson(res, 200, { CachesDeleted: r.deleted.length ? r.deleted : null, SpaceReclaimed: r.spaceReclaimed });
}

async function plugin(ctx: Ctx): Promise<void> {
  throw new HttpError(404, `plugin "${ctx.params.name}" not found`);
}

export const otherRoutes: Route[] = [
  { method: 'POST', pattern: '/build', handler: build },
  { method: 'POST', pattern: '/build/prune', handler: buildPrune },
  {
    method: 'POST',
    pattern: '/build/cancel',
    handler: async () => {
      throw notImplemented('berth cancels a build when its client goes away; there is no build ID to cancel by');
    },
  },
  {
    method: 'POST',
    pattern: '/session',
    handler: async () => {
      throw notImplemented('berth has no BuildKit sessions');
    },
  },
  { method: 'GET', pattern: '/plugins', handler: async (_ctx, res) => sendJson(res, 200, []) },
  { method: 'GET', pattern: '/plugins/:name*/json', handler: plugin },
  ...['/swarm', '/nodes', '/services', '/tasks', '/secrets', '/configs'].flatMap((p) => [
    { method: 'GET', pattern: p, handler: swarm },
    { method: 'GET', pattern: `${p}/:id`, handler: swarm },
  ]),
];
