/**
 * /containers/{id}/archive: HEAD (a path's stat), GET (a tar of it), PUT (a
 * tar extracted into a directory), what `docker cp` uses both ways. A path
 * that climbs above the container's root, or an archive with an entry that
 * climbs out of the destination, is refused with 400 before anything is
 * written.
 */
import type { ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { isBerthError, type PathStat } from '../../client/api.js';
import { badRequest, HttpError } from '../errors.js';
import { boolParam, requiredParam } from '../query.js';
import type { Ctx, Route } from '../router.js';
import { pathStatHeader } from '../shapes/path-stat.js';

/** Whether a path climbs above the root at some step ("/../../etc"). Pure. */
export function climbsAboveRoot(path: string): boolean {
  let depth = 0;
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (--depth < 0) return true;
    } else depth++;
  }
  return false;
}

function pathParam(ctx: Ctx): string {
  const path = requiredParam(ctx.query, 'path');
  if (path.includes('\0')) throw badRequest('invalid path: it holds a NUL byte');
  if (climbsAboveRoot(path)) throw badRequest(`invalid path ${path}: it climbs out of the container's root`);
  return path.startsWith('/') ? path : `/${path}`;
}

async function stat(ctx: Ctx, path: string): Promise<{ id: string; st: PathStat }> {
  const id = await ctx.backend.containerId(ctx.params.id!);
  try {
    return { id, st: await ctx.backend.statContainerPath(id, path) };
  } catch (e) {
    if (isBerthError(e, 'NOT_FOUND'))
      throw new HttpError(404, `Could not find the file ${path} in container ${ctx.params.id}`);
    throw e;
  }
}

async function head(ctx: Ctx, res: ServerResponse): Promise<void> {
  const { st } = await stat(ctx, pathParam(ctx));
  res.writeHead(200, { 'X-Docker-Container-Path-Stat': pathStatHeader(st), 'Content-Length': '0' });
  res.end();
}

async function get(ctx: Ctx, res: ServerResponse): Promise<void> {
  const path = pathParam(ctx);
  const { id, st } = await stat(ctx, path);
  // the top entry is the path's base name ("." for "DIR/.", whose contents the client renames)
  const name = /\/\.$/.test(path) ? '.' : basename(path) || st.name;
  res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': pathStatHeader(st) });
  await ctx.backend.copyFromContainer(id, path, name, res);
}

async function put(ctx: Ctx, res: ServerResponse): Promise<void> {
  const path = pathParam(ctx);
  const { id, st } = await stat(ctx, path);
  if (!st.isDir) throw badRequest('extraction point is not a directory');
  try {
    await ctx.backend.copyToContainer(id, path, ctx.req, '', boolParam(ctx.query, 'copyUIDGID'), { verify: true });
  } catch (e) {
    if (isBerthError(e, 'INVALID_ARCHIVE')) throw badRequest(e.message);
    throw e;
  }
  res.writeHead(200, { 'Content-Length': '0' });
  res.end();
}

export const containerArchiveRoutes: Route[] = [
  { method: 'HEAD', pattern: '/containers/:id/archive', handler: head },
  { method: 'GET', pattern: '/containers/:id/archive', handler: get },
  { method: 'PUT', pattern: '/containers/:id/archive', handler: put },
];
