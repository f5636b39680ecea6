/**
 * `network ls`, `inspect`, `rm` and `prune`, in docker's shapes with
 * docker's filters and messages. A network's containers are the running
 * ones holding an address on it (docker's endpoints).
 */
import { rmSync } from 'node:fs';
import { BerthError, conflict, invalidArg, notFound } from '../errors.js';
import { immediate } from '../store/db.js';
import type { Store } from '../store/store.js';
import { checkFilterKeys, matchLabel, parseUntil } from '../util/filters.js';
import { removeBridge } from './bridges.js';
import { ensurePredefined } from './create.js';
import { formatIp4, parseSubnet4 } from './ipv4.js';
import { ip6For, parseSubnet6 } from './ipv6.js';
import { NetworkDb } from './network-db.js';
import { releaseStale } from './release.js';
import { dnsDir, dnsPidFile } from './scope.js';
import { networkResource, type NetworkContainer, type NetworkResource } from './shapes.js';
import { PREDEFINED, type EndpointRow, type NetworkRecord } from './types.js';

/** docker's lookup: full ID, exact name, then a unique ID prefix. */
export function findNetwork(store: Store, ref: string): NetworkRecord {
  ensurePredefined(store);
  const db = new NetworkDb(store.db);
  const hit = (/^[a-f0-9]{64}$/.test(ref) ? db.get(ref) : null) ?? db.byName(ref);
  if (hit) return hit;
  if (/^[a-f0-9]+$/.test(ref)) {
    const ids = db.idsWithPrefix(ref);
    if (ids.length > 1) throw new BerthError('CONFLICT', `network ${ref} is ambiguous (${ids.length} matches found)`);
    if (ids.length === 1) return db.get(ids[0]!)!;
  }
  throw notFound(`network ${ref} not found`);
}

/** The IPv6 subnet of a network (--ipv6), if any. */
export function subnet6Of(n: NetworkRecord) {
  const c = n.ipam.Config.find((x) => x.Subnet?.includes(':'));
  return c?.Subnet ? { sub: parseSubnet6(c.Subnet)!, gateway: c.Gateway ?? '' } : null;
}

/** A network's running containers, as NetworkResource.Containers shows them. */
function containersOn(store: Store, n: NetworkRecord, eps: EndpointRow[]): Record<string, NetworkContainer> {
  const out: Record<string, NetworkContainer> = {};
  const sub = parseSubnet4(n.subnet);
  const v6 = subnet6Of(n);
  for (const e of eps) {
    const row = store.db.prepare('SELECT name FROM containers WHERE id = ?').get(e.containerId) as
      { name: string } | undefined;
    if (!row) continue; // a build's RUN step: no container (docker shows none)
    out[e.containerId] = {
      Name: row.name,
      EndpointID: e.id,
      MacAddress: e.mac,
      IPv4Address: sub ? `${formatIp4(e.addr)}/${sub.prefix}` : '',
      IPv6Address: v6 && sub ? `${ip6For(v6.sub, e.addr, sub.base)}/${v6.sub.prefix}` : '',
    };
  }
  return out;
}

/** Drop what stopped containers still hold, then read the networks. */
function fresh(store: Store): NetworkDb {
  ensurePredefined(store);
  releaseStale(store);
  return new NetworkDb(store.db);
}

export function inspectNetwork(store: Store, ref: string): NetworkResource {
  const n = findNetwork(store, ref);
  const db = fresh(store);
  return networkResource(n, containersOn(store, n, db.endpointsOn(n.id)));
}

export const NETWORK_FILTERS = ['driver', 'id', 'label', 'label!', 'name', 'scope', 'type', 'dangling'];

export function listNetworks(store: Store, filters: Map<string, string[]> = new Map()): NetworkResource[] {
  checkFilterKeys(filters, NETWORK_FILTERS);
  for (const t of filters.get('type') ?? [])
    if (t !== 'custom' && t !== 'builtin') throw invalidArg(`invalid filter: 'type'='${t}'`);
  for (const d of filters.get('dangling') ?? [])
    if (!['true', 'false', '1', '0'].includes(d)) throw invalidArg(`invalid filter 'dangling=${d}'`);
  const db = fresh(store);
  const out: NetworkResource[] = [];
  for (const n of db.all()) {
    const eps = db.endpointsOn(n.id);
    const builtin = (PREDEFINED as readonly string[]).includes(n.name);
    const any = (key: string, test: (v: string) => boolean) => !filters.has(key) || filters.get(key)!.some(test);
    if (!any('driver', (v) => v === n.driver)) continue;
    if (!any('id', (v) => n.id.startsWith(v))) continue;
    if (!any('name', (v) => n.name.includes(v))) continue;
    if (!any('scope', (v) => v === 'local')) continue;
    if (!any('type', (v) => (v === 'builtin') === builtin)) continue;
    if (!any('dangling', (v) => (v === 'true' || v === '1') === (!eps.length && !builtin))) continue;
    if (!(filters.get('label') ?? []).every((l) => matchLabel(n.labels, l))) continue;
    if (!(filters.get('label!') ?? []).every((l) => !matchLabel(n.labels, l))) continue;
    out.push(networkResource(n, containersOn(store, n, eps)));
  }
  return out;
}

function removeOne(store: Store, n: NetworkRecord): void {
  immediate(store.db, () => {
    const db = new NetworkDb(store.db);
    if (db.endpointsOn(n.id).length)
      throw conflict(`error while removing network: network ${n.name} id ${n.id} has active endpoints`);
    db.delete(n.id);
    store.event({ type: 'network', action: 'destroy', actorId: n.id, attributes: { name: n.name, type: n.driver } });
  });
  if (n.driver === 'bridge') removeBridge(store, n);
  rmSync(dnsDir(store, n.id), { recursive: true, force: true });
  rmSync(dnsPidFile(store, n.id), { force: true });
  rmSync(dnsPidFile(store, n.id).replace(/\.pid$/, '.log'), { force: true });
}

export function removeNetwork(store: Store, ref: string): string {
  const n = findNetwork(store, ref);
  if ((PREDEFINED as readonly string[]).includes(n.name))
    throw new BerthError('IN_USE', `${n.name} is a pre-defined network and cannot be removed`);
  releaseStale(store);
  removeOne(store, n);
  return n.id;
}

/** `network prune`: every user-defined network no running container is on. */
export function pruneNetworks(store: Store, filters: Map<string, string[]> = new Map()): { deleted: string[] } {
  checkFilterKeys(filters, ['until', 'label', 'label!']);
  const until = filters.get('until')?.map((u) => parseUntil(u));
  const db = fresh(store);
  const deleted: string[] = [];
  for (const n of db.all()) {
    if ((PREDEFINED as readonly string[]).includes(n.name) || db.endpointsOn(n.id).length) continue;
    if (until && !until.every((u) => Date.parse(n.created) < u)) continue;
    if (!(filters.get('label') ?? []).every((l) => matchLabel(n.labels, l))) continue;
    if (!(filters.get('label!') ?? []).every((l) => !matchLabel(n.labels, l))) continue;
    try {
      removeOne(store, n);
      deleted.push(n.name);
    } catch {
      /* a container started on it meanwhile */
    }
  }
  return { deleted };
}
