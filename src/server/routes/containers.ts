/** The container group: list, create, inspect, lifecycle, rename, update, wait, remove, prune, top, changes, export, resize. */
import type { ServerResponse } from 'node:http';
import type { UpdateOptions, WaitCondition } from '../../client/api.js';
import { readJson } from '../body.js';
import { decode } from '../decode.js';
import { badRequest, notImplemented } from '../errors.js';
import { boolParam, filtersParam, intParam, requiredParam } from '../query.js';
import { sendEmpty, sendJson, startStream } from '../respond.js';
import type { Ctx, Route } from '../router.js';
import { containerListItem } from '../shapes/container-summary.js';
import { createRequest } from '../shapes/create-request.js';
import { hostConfigShape } from '../shapes/create-schema.js';
import { startContainer } from '../start.js';
import { versionLess } from '../version.js';

async function list(ctx: Ctx, res: ServerResponse): Promise<void> {
  const q = ctx.query;
  const limit = intParam(q, 'limit', 0) ?? 0;
  const items = await ctx.backend.listContainers({
    all: boolParam(q, 'all'),
    ...(limit > 0 ? { last: limit } : {}),
    size: boolParam(q, 'size'),
    filters: filtersParam(q),
  });
  const now = new Date();
  sendJson(
    res,
    200,
    items.map((c) => containerListItem(c, now)),
  );
}

async function create(ctx: Ctx, res: ServerResponse): Promise<void> {
  const name = ctx.query.get('name');
  const platform = ctx.query.get('platform');
  if (platform && !/^linux(\/|$)/.test(platform)) throw badRequest(`the image's platform does not match: ${platform}`);
  const req = createRequest(await readJson(ctx.req), name);
  // dockerd's answer for a missing image (the docker CLI pulls on this 404)
  await ctx.backend.inspectImage(req.image);
  const { id, warnings } = await ctx.backend.createContainer(req);
  sendJson(res, 201, { Id: id, Warnings: warnings });
}

async function inspect(ctx: Ctx, res: ServerResponse): Promise<void> {
  const doc = await ctx.backend.inspectContainer(ctx.params.id!, boolParam(ctx.query, 'size'));
  const execs = ctx.state.execs.ofContainer(String(doc.Id)).filter((e) => e.running);
  sendJson(res, 200, { ...doc, ExecIDs: execs.length ? execs.map((e) => e.id) : null });
}

async function isRunning(ctx: Ctx, id: string): Promise<boolean> {
  const doc = await ctx.backend.inspectContainer(id);
  return !!(doc.State as { Running: boolean }).Running;
}

async function start(ctx: Ctx, res: ServerResponse): Promise<void> {
  if (ctx.query.get('checkpoint')) throw notImplemented('berth has no checkpoints (checkpoint, checkpoint-dir)');
  const body = await readJson(ctx.req);
  if (body && typeof body === 'object' && Object.keys(body).length)
    throw badRequest(
      'starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24',
    );
  const started = await startContainer(ctx, ctx.params.id!);
  sendEmpty(res, started ? 204 : 304);
}

/** docker's stop/restart timeout parameter: `t` (seconds; -1 waits for ever). */
function timeoutParam(q: URLSearchParams): number | undefined {
  return intParam(q, 't');
}

async function stop(ctx: Ctx, res: ServerResponse): Promise<void> {
  const id = ctx.params.id!;
  if (!(await isRunning(ctx, id))) return sendEmpty(res, 304);
  const signal = versionLess(ctx.version, '1.42') ? undefined : ctx.query.get('signal') || undefined;
  await ctx.backend.stopContainer(id, timeoutParam(ctx.query), signal);
  sendEmpty(res);
}

async function restart(ctx: Ctx, res: ServerResponse): Promise<void> {
  const id = ctx.params.id!;
  await ctx.backend.restartContainer(id, timeoutParam(ctx.query));
  sendEmpty(res);
}

async function kill(ctx: Ctx, res: ServerResponse): Promise<void> {
  await ctx.backend.killContainer(ctx.params.id!, ctx.query.get('signal') || 'SIGKILL');
  sendEmpty(res);
}

async function pause(ctx: Ctx, res: ServerResponse): Promise<void> {
  await ctx.backend.pauseContainer(ctx.params.id!);
  sendEmpty(res);
}

async function unpause(ctx: Ctx, res: ServerResponse): Promise<void> {
  await ctx.backend.unpauseContainer(ctx.params.id!);
  sendEmpty(res);
}

async function rename(ctx: Ctx, res: ServerResponse): Promise<void> {
  const name = requiredParam(ctx.query, 'name');
  await ctx.backend.renameContainer(ctx.params.id!, name);
  sendEmpty(res);
}

async function update(ctx: Ctx, res: ServerResponse): Promise<void> {
  const body = decode<Record<string, unknown>>(await readJson(ctx.req), hostConfigShape);
  const u: UpdateOptions = {};
  const num = (k: string) => (typeof body[k] === 'number' ? (body[k] as number) : undefined);
  const lacking = [
    'BlkioWeight',
    'CpuRealtimePeriod',
    'CpuRealtimeRuntime',
    'CpusetMems',
    'KernelMemory',
    'KernelMemoryTCP',
    'OomKillDisable',
  ]
    .filter((k) => body[k])
    .concat(
      ['Devices', 'Ulimits', 'DeviceRequests', 'DeviceCgroupRules', 'BlkioWeightDevice'].filter(
        (k) => Array.isArray(body[k]) && (body[k] as unknown[]).length,
      ),
    );
  if (lacking.length) throw notImplemented(`berth cannot update ${lacking.join(', ')}`);
  if (num('Memory')) u.memory = String(num('Memory'));
  if (num('MemorySwap')) u.memorySwap = String(num('MemorySwap'));
  if (num('MemoryReservation')) u.memoryReservation = String(num('MemoryReservation'));
  if (num('NanoCpus')) u.cpus = (num('NanoCpus')! / 1e9).toFixed(9).replace(/\.?0+$/, '');
  if (num('CpuShares')) u.cpuShares = num('CpuShares')!;
  if (num('CpuPeriod')) u.cpuPeriod = num('CpuPeriod')!;
  if (num('CpuQuota')) u.cpuQuota = num('CpuQuota')!;
  if (body.CpusetCpus) u.cpusetCpus = String(body.CpusetCpus);
  if (num('PidsLimit') !== undefined) u.pidsLimit = num('PidsLimit')!;
  const rp = body.RestartPolicy as { Name?: string; MaximumRetryCount?: number } | undefined;
  if (rp?.Name)
    u.restart = rp.Name === 'on-failure' && rp.MaximumRetryCount ? `on-failure:${rp.MaximumRetryCount}` : rp.Name;
  await ctx.backend.updateContainer(ctx.params.id!, u);
  sendJson(res, 200, { Warnings: [] });
}

async function wait(ctx: Ctx, res: ServerResponse): Promise<void> {
  const cond = (ctx.query.get('condition') || 'not-running') as WaitCondition;
  if (!['not-running', 'next-exit', 'removed'].includes(cond)) throw badRequest(`invalid condition: "${cond}"`);
  const id = await ctx.backend.containerId(ctx.params.id!);
  const waiting = ctx.backend.waitContainer(id, ctx.signal, cond);
  // the answer's head goes out at once: docker's client starts the container once it has it
  startStream(res);
  let r: { exitCode: number; error: string };
  try {
    r = await waiting;
  } catch (e) {
    if (ctx.signal.aborted) return;
    const msg = (e as Error).message;
    res.end(JSON.stringify({ StatusCode: -1, Error: { Message: msg } }) + '\n');
    return;
  }
  // the run's error (a program that could not start) goes with `docker wait`'s condition; `docker run`'s
  // conditions get the code alone, as the start has reported the error already
  const error = cond === 'not-running' && r.error ? { Error: { Message: r.error } } : {};
  res.end(JSON.stringify({ StatusCode: r.exitCode, ...error }) + '\n');
}

async function remove(ctx: Ctx, res: ServerResponse): Promise<void> {
  if (boolParam(ctx.query, 'link')) throw notImplemented('berth has no container links to remove');
  await ctx.backend.removeContainer(ctx.params.id!, {
    force: boolParam(ctx.query, 'force'),
    volumes: boolParam(ctx.query, 'v'),
  });
  sendEmpty(res);
}

async function prune(ctx: Ctx, res: ServerResponse): Promise<void> {
  const r = await ctx.backend.pruneContainers(filtersParam(ctx.query));
  sendJson(res, 200, { ContainersDeleted: r.deleted.length ? r.deleted : null, SpaceReclaimed: r.spaceReclaimed });
}

async function top(ctx: Ctx, res: ServerResponse): Promise<void> {
  const args = (ctx.query.get('ps_args') ?? '').trim();
  const r = await ctx.backend.containerTop(ctx.params.id!, args ? args.split(/\s+/) : []);
  sendJson(res, 200, r);
}

async function changes(ctx: Ctx, res: ServerResponse): Promise<void> {
  const r = await ctx.backend.containerChanges(ctx.params.id!);
  sendJson(res, 200, r.length ? r : null);
}

async function exportFs(ctx: Ctx, res: ServerResponse): Promise<void> {
  const id = await ctx.backend.containerId(ctx.params.id!);
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  await ctx.backend.exportContainer(id, res);
}

async function resize(ctx: Ctx, res: ServerResponse): Promise<void> {
  const h = intParam(ctx.query, 'h', 0)!;
  const w = intParam(ctx.query, 'w', 0)!;
  if (h < 0 || w < 0 || h > 65535 || w > 65535) throw badRequest('invalid terminal size');
  await ctx.backend.resizeContainer(ctx.params.id!, h, w);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '0' });
  res.end();
}

export const containerRoutes: Route[] = [
  { method: 'GET', pattern: '/containers/json', handler: list },
  { method: 'POST', pattern: '/containers/create', handler: create },
  { method: 'POST', pattern: '/containers/prune', handler: prune },
  { method: 'GET', pattern: '/containers/:id/json', handler: inspect },
  { method: 'POST', pattern: '/containers/:id/start', handler: start },
  { method: 'POST', pattern: '/containers/:id/stop', handler: stop },
  { method: 'POST', pattern: '/containers/:id/restart', handler: restart },
  { method: 'POST', pattern: '/containers/:id/kill', handler: kill },
  { method: 'POST', pattern: '/containers/:id/pause', handler: pause },
  { method: 'POST', pattern: '/containers/:id/unpause', handler: unpause },
  { method: 'POST', pattern: '/containers/:id/rename', handler: rename },
  { method: 'POST', pattern: '/containers/:id/update', handler: update },
  { method: 'POST', pattern: '/containers/:id/wait', handler: wait },
  { method: 'DELETE', pattern: '/containers/:id', handler: remove },
  { method: 'GET', pattern: '/containers/:id/top', handler: top },
  { method: 'GET', pattern: '/containers/:id/changes', handler: changes },
  { method: 'GET', pattern: '/containers/:id/export', handler: exportFs },
  { method: 'POST', pattern: '/containers/:id/resize', handler: resize },
];
