/**
 * The network group through the backend's networks: list (docker's
 * filters), inspect, create, remove, prune, and connecting and
 * disconnecting a container. The backend's NetworkResource is dockerd's
 * shape already; the request bodies are read as dockerd reads them.
 */
import type { ServerResponse } from 'node:http';
import type { NetworkCreate } from '../../client/api.js';
import { readJson } from '../body.js';
import { badRequest, notImplemented } from '../errors.js';
import { filtersParam } from '../query.js';
import { sendEmpty, sendJson } from '../respond.js';
import type { Ctx, Route } from '../router.js';
import { strSlice } from '../shapes/create-request.js';

type Body = Record<string, unknown>;

async function body(ctx: Ctx): Promise<Body> {
  const b = await readJson(ctx.req);
  if (b === undefined) return {};
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw badRequest('expected a JSON object');
  return b as Body;
}

const str = (b: Body, k: string, where: string): string | undefined => {
  const v = b[k];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string')
    throw badRequest(`json: cannot unmarshal ${typeof v} into Go struct field ${where}.${k} of type string`);
  return v;
};

const strMap = (v: unknown, where: string): Record<string, string> | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string'))
    throw badRequest(`json: cannot unmarshal ${where} into Go value of type map[string]string`);
  return v as Record<string, string>;
};

/** POST /networks/create's body as the backend's request. */
export function networkCreateOf(b: Body): NetworkCreate {
  const name = str(b, 'Name', 'NetworkCreateRequest');
  if (!name) throw badRequest('network name is required');
  if (b.ConfigOnly || b.ConfigFrom) throw notImplemented('berth has no config-only networks (ConfigOnly, ConfigFrom)');
  if (b.Ingress) throw notImplemented('berth has no ingress network (swarm)');
  if (b.Scope && b.Scope !== 'local')
    throw notImplemented(`berth's networks are local to this host (Scope ${String(b.Scope)})`);
  const ipam = (b.IPAM ?? {}) as Body;
  if (ipam.Driver && ipam.Driver !== 'default')
    throw notImplemented(`berth has one IPAM driver, default (not ${String(ipam.Driver)})`);
  const configs = (Array.isArray(ipam.Config) ? ipam.Config : []) as Body[];
  if (configs.some((c) => c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses as object).length))
    throw notImplemented('berth does not reserve auxiliary addresses (IPAM.Config.AuxiliaryAddresses)');
  const pick = (k: string) => configs.map((c) => str(c, k, 'IPAMConfig')).filter((x): x is string => !!x);
  const options = strMap(b.Options, 'Options');
  const labels = strMap(b.Labels, 'Labels');
  const subnets = pick('Subnet');
  const gateways = pick('Gateway');
  const ipRanges = pick('IPRange');
  return {
    name,
    ...(str(b, 'Driver', 'NetworkCreateRequest') ? { driver: b.Driver as string } : {}),
    ...(subnets.length ? { subnets } : {}),
    ...(gateways.length ? { gateways } : {}),
    ...(ipRanges.length ? { ipRanges } : {}),
    internal: !!b.Internal,
    attachable: !!b.Attachable,
    ipv6: !!b.EnableIPv6,
    ...(options && Object.keys(options).length ? { options } : {}),
    ...(labels && Object.keys(labels).length ? { labels } : {}),
  };
}

async function create(ctx: Ctx, res: ServerResponse): Promise<void> {
  const r = await ctx.backend.createNetwork(networkCreateOf(await body(ctx)));
  sendJson(res, 201, { Id: r.id, Warning: r.warning });
}

async function list(ctx: Ctx, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await ctx.backend.listNetworks(filtersParam(ctx.query)));
}

async function inspect(ctx: Ctx, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await ctx.backend.inspectNetwork(ctx.params.id!));
}

async function remove(ctx: Ctx, res: ServerResponse): Promise<void> {
  await ctx.backend.removeNetwork(ctx.params.id!);
  sendEmpty(res);
}

async function prune(ctx: Ctx, res: ServerResponse): Promise<void> {
  const r = await ctx.backend.pruneNetworks(filtersParam(ctx.query));
  sendJson(res, 200, { NetworksDeleted: r.deleted.length ? r.deleted : null });
}

async function connect(ctx: Ctx, res: ServerResponse): Promise<void> {
  const b = await body(ctx);
  const container = str(b, 'Container', 'NetworkConnectRequest');
  if (!container) throw badRequest('container is required');
  const ep = (b.EndpointConfig ?? {}) as Body;
  const aliases = strSlice(ep.Aliases, 'EndpointSettings.Aliases') ?? [];
  const ip = ((ep.IPAMConfig ?? {}) as Body).IPv4Address;
  if (ip !== undefined && ip !== '' && typeof ip !== 'string')
    throw badRequest('IPAMConfig.IPv4Address must be a string');
  if (((ep.IPAMConfig ?? {}) as Body).IPv6Address)
    throw notImplemented('berth does not assign a given IPv6 address (IPv6Address)');
  if (nonEmpty(ep.Links)) throw notImplemented('berth has no container links (Links)');
  await ctx.backend.connectNetwork(ctx.params.id!, container, {
    ...(aliases.length ? { aliases } : {}),
    ...(ip ? { ip: ip as string } : {}),
  });
  res.writeHead(200, { 'Content-Length': '0' });
  res.end();
}

const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;

async function disconnect(ctx: Ctx, res: ServerResponse): Promise<void> {
  const b = await body(ctx);
  const container = str(b, 'Container', 'NetworkDisconnectRequest');
  if (!container) throw badRequest('container is required');
  await ctx.backend.disconnectNetwork(ctx.params.id!, container, !!b.Force);
  res.writeHead(200, { 'Content-Length': '0' });
  res.end();
}

export const networkRoutes: Route[] = [
  { method: 'GET', pattern: '/networks', handler: list },
  { method: 'POST', pattern: '/networks/create', handler: create },
  { method: 'POST', pattern: '/networks/prune', handler: prune },
  { method: 'GET', pattern: '/networks/:id', handler: inspect },
  { method: 'DELETE', pattern: '/networks/:id', handler: remove },
  { method: 'POST', pattern: '/networks/:id/connect', handler: connect },
  { method: 'POST', pattern: '/networks/:id/disconnect', handler: disconnect },
];
