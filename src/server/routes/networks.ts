/**
 * The network group. Until berth has networks of its own (bridge networking
 * is being built), it has the two that need none: `host` and `none`. They are
 * listed and inspected as dockerd shows its predefined ones; creating,
 * connecting and disconnecting answer 501, naming what is missing. This is
 * the one place to switch to the backend's networks when they land.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Backend } from '../../client/api.js';
import { readJson } from '../body.js';
import { HttpError, notImplemented } from '../errors.js';
import { filtersParam } from '../query.js';
import { sendJson } from '../respond.js';
import type { Ctx, Route } from '../router.js';

const PREDEFINED: Record<string, string> = { host: 'host', none: 'null' };

/** A stable ID for a predefined network (dockerd's are random; berth derives them from the store's engine ID). */
function networkId(engineId: string, name: string): string {
  return createHash('sha256').update(`${engineId}/network/${name}`).digest('hex');
}

async function networkDocs(backend: Backend): Promise<Record<string, unknown>[]> {
  const info = await backend.systemInfo();
  const containers = await backend.listContainers({ all: true });
  return Object.entries(PREDEFINED).map(([name, driver]) => ({
    Name: name,
    Id: networkId(info.id, name),
    Created: '0001-01-01T00:00:00Z',
    Scope: 'local',
    Driver: driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: null },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      containers
        .filter((c) => c.State === 'running' && Object.keys(c.NetworkSettings.Networks).includes(name))
        .map((c) => [
          c.Id,
          { Name: c.Names[0]!.replace(/^\//, ''), EndpointID: '', MacAddress: '', IPv4Address: '', IPv6Address: '' },
        ]),
    ),
    Options: {},
    Labels: {},
  }));
}

function matches(doc: Record<string, unknown>, filters: Map<string, string[]>): boolean {
  for (const [k, vals] of filters) {
    if (!vals.length) continue;
    const ok = vals.some((v) => {
      switch (k) {
        case 'name':
          return String(doc.Name).includes(v);
        case 'id':
          return String(doc.Id).startsWith(v);
        case 'driver':
          return doc.Driver === v;
        case 'type':
          return v === 'builtin';
        case 'scope':
          return v === 'local';
        case 'label':
          return false;
        case 'dangling':
          return false;
        default:
          throw new HttpError(400, `invalid filter '${k}'`);
      }
    });
    if (!ok) return false;
  }
  return true;
}

async function find(ctx: Ctx): Promise<Record<string, unknown>> {
  const ref = ctx.params.id!;
  const docs = await networkDocs(ctx.backend);
  const hit =
    docs.find((d) => d.Name === ref || d.Id === ref) ??
    docs.find((d) => ref.length >= 1 && String(d.Id).startsWith(ref));
  if (!hit) throw new HttpError(404, `network ${ref} not found`);
  return hit;
}

async function list(ctx: Ctx, res: ServerResponse): Promise<void> {
  const filters = filtersParam(ctx.query);
  const docs = (await networkDocs(ctx.backend)).filter((d) => matches(d, filters));
  sendJson(res, 200, docs);
}

const lacking = (what: string) => async (ctx: Ctx) => {
  await readJson(ctx.req).catch(() => undefined);
  throw notImplemented(`berth has no bridge networking yet: ${what} needs it`);
};

async function remove(ctx: Ctx): Promise<void> {
  const doc = await find(ctx);
  throw new HttpError(403, `${doc.Name} is a pre-defined network and cannot be removed`);
}

export const networkRoutes: Route[] = [
  { method: 'GET', pattern: '/networks', handler: list },
  { method: 'POST', pattern: '/networks/create', handler: lacking('creating a network') },
  {
    method: 'POST',
    pattern: '/networks/prune',
    handler: async (_ctx, res) => sendJson(res, 200, { NetworksDeleted: null }),
  },
  { method: 'GET', pattern: '/networks/:id', handler: async (ctx, res) => sendJson(res, 200, await find(ctx)) },
  { method: 'DELETE', pattern: '/networks/:id', handler: remove },
  { method: 'POST', pattern: '/networks/:id/connect', handler: lacking('connecting a container to a network') },
  { method: 'POST', pattern: '/networks/:id/disconnect', handler: lacking('disconnecting a container from a network') },
];
