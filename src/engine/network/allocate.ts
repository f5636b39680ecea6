/**
 * Addresses and host ports for a starting container, in one IMMEDIATE
 * transaction, so parallel starts from separate processes never collide.
 * What a holder that is gone (a stopped container, a killed monitor) still
 * has is taken back on the way.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BerthError, conflict } from '../errors.js';
import { procStartTime } from '../runtime/monitor.js';
import { immediate } from '../store/db.js';
import type { Store } from '../store/store.js';
import { macForIp4, parseIp4 } from './ipv4.js';
import { allocateSql, NetworkDb } from './network-db.js';
import { parseLocalPortRange, type PortMap, type PublishedPort } from './ports.js';
import { cleanKernel, releaseRows, type Released } from './release.js';
import { leaseHeld } from './scope.js';
import type { Attachment, EndpointRow, NetworkRecord } from './types.js';

export interface Wanted {
  net: NetworkRecord;
  slot: number;
  att: Attachment;
}

export interface Allocated {
  endpoints: (EndpointRow & { ip: string })[];
  ports: PublishedPort[];
}

/** Host ports something on the host has bound (so a random port is never one of them). */
function hostBound(proto: string): Set<number> {
  const out = new Set<number>();
  for (const f of [proto, `${proto}6`]) {
    let text = '';
    try {
      text = readFileSync(`/proc/net/${f}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4) continue;
      // every socket with the port as its local one, listening or connected (bind() fails on either)
      out.add(parseInt(cols[1]!.split(':').pop()!, 16));
    }
  }
  return out;
}

function localPortRange(): [number, number] {
  try {
    return parseLocalPortRange(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'));
  } catch {
    return [49153, 65535];
  }
}

const bindMessage = (ip: string, port: number) =>
  `Bind for ${ip || '0.0.0.0'}:${port} failed: port is already allocated`;

export function allocate(
  store: Store,
  containerId: string,
  wanted: Wanted[],
  bindings: PortMap,
  publishTo: NetworkRecord | null,
  /** false for `network connect` on a running container: what it holds on its other networks stays */
  fresh = true,
  /** false for a build's RUN step: docker records no network events for it */
  events = true,
): Allocated {
  const db = new NetworkDb(store.db);
  const me = { pid: process.pid, start: procStartTime(process.pid) };
  const taken: Released[] = [];
  /** The holder of a row is gone: take its rows back (true), else false. */
  const reclaim = (holder: string) => {
    const eps = db.endpointsOf(holder);
    const live = eps.length
      ? eps.some((e) => leaseHeld(store, holder, e.ownerPid, e.ownerStart))
      : leaseHeld(store, holder, 0, 0);
    if (live) return false;
    taken.push(releaseRows(store, holder));
    return true;
  };
  const out = immediate(store.db, (): Allocated => {
    if (fresh) db.release(containerId); // what a previous run left
    const endpoints: Allocated['endpoints'] = [];
    for (const w of wanted) {
      if (w.net.driver === 'host' || w.net.driver === 'null') continue;
      const requested = w.att.IPAMConfig?.IPv4Address;
      const mac = w.slot === 0 || w.att.MacAddress ? w.att.MacAddress : undefined;
      let row: { ip: string; mac: string } | null = null;
      if (requested) {
        const addr = parseIp4(requested)!;
        const holder = db.endpointAt(w.net.id, addr);
        if (holder && !reclaim(holder.containerId)) throw conflict('Address already in use');
        const macText = mac ?? macForIp4(addr);
        db.insertEndpoint({
          networkId: w.net.id,
          containerId,
          id: randomHex(),
          slot: w.slot,
          addr,
          mac: macText,
          ownerPid: me.pid,
          ownerStart: me.start,
        });
        row = { ip: requested, mac: macText };
      } else {
        const gw = w.net.gateway ? parseIp4(w.net.gateway) : null;
        const sql = allocateSql(w.net, w.slot, gw, mac);
        row = db.allocate(sql, containerId, me.pid, me.start);
        if (!row) {
          // full: take back what stopped containers still hold, then try once more
          for (const e of db.endpointsOn(w.net.id)) reclaim(e.containerId);
          row = db.allocate(sql, containerId, me.pid, me.start);
        }
        if (!row)
          throw new BerthError(
            'CONFLICT',
            `no available IPv4 addresses on this network's address pools: ${w.net.name} (${w.net.id})`,
          );
      }
      const ep = db.endpointsOf(containerId).find((e) => e.networkId === w.net.id)!;
      endpoints.push({ ...ep, ip: row.ip });
      if (events)
        store.event({
          type: 'network',
          action: 'connect',
          actorId: w.net.id,
          attributes: { container: containerId, name: w.net.name, type: w.net.driver },
        });
    }
    const ports = publishTo ? allocatePorts(db, containerId, bindings, reclaim) : [];
    return { endpoints, ports };
  });
  for (const r of taken) cleanKernel(store, r);
  return out;
}

const randomHex = () => randomBytes(32).toString('hex');

function allocatePorts(
  db: NetworkDb,
  containerId: string,
  bindings: PortMap,
  reclaim: (holder: string) => boolean,
): PublishedPort[] {
  const out: PublishedPort[] = [];
  const [low, high] = localPortRange();
  const bound = new Map<string, Set<number>>();
  for (const [key, list] of Object.entries(bindings)) {
    const [portText, protoText] = key.split('/');
    const proto = (protoText ?? 'tcp') as PublishedPort['proto'];
    const containerPort = Number(portText);
    for (const b of list) {
      const hostIp = b.HostIp === '0.0.0.0' ? '' : b.HostIp;
      if (hostIp && parseIp4(hostIp) === null)
        throw new BerthError('NOT_SUPPORTED', `berth publishes ports on IPv4 addresses only (not ${hostIp})`);
      const free = (port: number) => {
        const holders = db.hostPortHolders(proto, hostIp, port);
        return holders.every((h) => h.containerId !== containerId && reclaim(h.containerId));
      };
      let port = 0;
      const fixed = /^\d+$/.test(b.HostPort) && Number(b.HostPort) > 0 ? Number(b.HostPort) : 0;
      if (fixed) {
        if (!free(fixed)) throw conflict(bindMessage(hostIp, fixed));
        port = fixed;
      } else {
        const range = /^(\d+)-(\d+)$/.exec(b.HostPort);
        const [from, to] = range ? [Number(range[1]), Number(range[2])] : [low, high];
        if (!bound.has(proto)) bound.set(proto, hostBound(proto));
        // from a random point of the range, round: two stores on one host (or a socket bound between
        // reading /proc and the monitor's bind) seldom reach for the same port
        const span = to - from + 1;
        const start = range ? 0 : randomInt(span);
        for (let k = 0; k < span && !port; k++) {
          const p = from + ((start + k) % span);
          if (!bound.get(proto)!.has(p) && free(p)) port = p;
        }
        if (!port)
          throw conflict(
            range ? bindMessage(hostIp, from) : `no free host port in ${from}-${to} for ${key} (all allocated)`,
          );
      }
      db.insertHostPort({ proto, hostIp, port, containerId, containerPort });
      out.push({ proto, hostIp, hostPort: port, containerPort });
    }
  }
  return out;
}
