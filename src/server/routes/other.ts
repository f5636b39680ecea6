/**
 * What berth does not have, answered as dockerd answers for what it lacks:
 * image builds (501 until the builder lands), BuildKit sessions, plugins
 * (none are installed: an empty list, 404 for a name), and swarm (an
 * inactive node's 503), so that `docker inspect NAME` and `docker system
 * prune` go through the same steps as against dockerd.
 */
import type { ServerResponse } from 'node:http';
import { HttpError, notImplemented } from '../errors.js';
import { sendJson } from '../respond.js';
import type { Ctx, Route } from '../router.js';

/** How much of a build context is read (and thrown away) before the answer, so the client is not cut off mid-upload. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

async function build(ctx: Ctx): Promise<void> {
  await new Promise<void>((resolve) => {
    let seen = 0;
    ctx.req.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen > DRAIN_LIMIT) resolve();
    });
    ctx.req.on('end', () => resolve());
    ctx.req.on('error', () => resolve());
  });
  throw notImplemented('berth has no image builder yet: docker build needs it');
}

const SWARM =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

const swarm = async () => {
  throw new HttpError(503, SWARM);
};

async function plugin(ctx: Ctx): Promise<void> {
  throw new HttpError(404, `plugin "${ctx.params.name}" not found`);
}

export const otherRoutes: Route[] = [
  { method: 'POST', pattern: '/build', handler: build },
  {
    method: 'POST',
    pattern: '/build/prune',
    handler: async (_ctx, res: ServerResponse) => sendJson(res, 200, { CachesDeleted: null, SpaceReclaimed: 0 }),
  },
  {
    method: 'POST',
    pattern: '/build/cancel',
    handler: async () => {
      throw notImplemented('berth has no image builder yet');
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
