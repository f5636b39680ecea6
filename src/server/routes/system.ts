/** _ping, version, info, events, system/df and auth: the system group of the API. */
import { arch, release } from 'node:os';
import type { ServerResponse } from 'node:http';
import { eventJson } from '../../client/format/events.js';
import { dockerInfo } from '../../client/format/info.js';
import { berthVersion } from '../about.js';
import { sendJson, startStream, writeStream } from '../respond.js';
import { filtersParam } from '../query.js';
import type { Ctx, Route } from '../router.js';
import { MAX_API_VERSION, MIN_API_VERSION } from '../version.js';
import { diskUsageDoc } from '../shapes/disk-usage.js';
import { firstStep } from '../early.js';

async function ping(ctx: Ctx, res: ServerResponse): Promise<void> {
  res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
  res.setHeader('Pragma', 'no-cache');
  // the classic builder's answer: BuildKit's session endpoints are not served
  res.setHeader('Builder-Version', '1');
  res.setHeader('Swarm', 'inactive');
  if (ctx.req.method === 'HEAD') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '0' });
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '2' });
  res.end('OK');
}

export function versionDoc(): Record<string, unknown> {
  const a = arch() === 'x64' ? 'amd64' : arch();
  const v = berthVersion();
  const details = {
    ApiVersion: MAX_API_VERSION,
    Arch: a,
    BuildTime: '',
    Experimental: 'false',
    GitCommit: '',
    GoVersion: process.version,
    KernelVersion: release(),
    MinAPIVersion: MIN_API_VERSION,
    Os: 'linux',
  };
  return {
    Platform: { Name: `berth ${v}` },
    Components: [{ Name: 'Engine', Version: v, Details: details }],
    Version: v,
    ApiVersion: MAX_API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: process.version,
    Os: 'linux',
    Arch: a,
    KernelVersion: release(),
    BuildTime: '',
  };
}

let eventListeners = 0;

async function info(ctx: Ctx, res: ServerResponse): Promise<void> {
  const i = await ctx.backend.systemInfo();
  sendJson(res, 200, dockerInfo(i, { eventListeners }));
}

async function events(ctx: Ctx, res: ServerResponse): Promise<void> {
  const q = ctx.query;
  const filters = filtersParam(q);
  const since = q.get('since') || undefined;
  const until = q.get('until') || undefined;
  const feed = ctx.backend.events({
    filters,
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    signal: ctx.signal,
  });
  const it = feed[Symbol.asyncIterator]();
  // the feed checks its filters and times as it starts: a bad one is a 400, before the stream's head
  const { first } = await firstStep(it);
  startStream(res);
  eventListeners++;
  try {
    for (let r = await first; !r.done; r = await it.next()) await writeStream(res, eventJson(r.value) + '\n');
  } finally {
    eventListeners--;
    res.end();
  }
}

async function df(ctx: Ctx, res: ServerResponse): Promise<void> {
  const types = ctx.query.getAll('type');
  sendJson(res, 200, await diskUsageDoc(ctx.backend, types, ctx.version));
}

export const systemRoutes: Route[] = [
  { method: 'GET', pattern: '/_ping', handler: ping },
  { method: 'HEAD', pattern: '/_ping', handler: ping },
  { method: 'GET', pattern: '/version', handler: async (_ctx, res) => sendJson(res, 200, versionDoc()) },
  { method: 'GET', pattern: '/info', handler: info },
  { method: 'GET', pattern: '/events', handler: events },
  { method: 'GET', pattern: '/system/df', handler: df },
];
