/**
 * `network create` and the networks every store has (bridge, host, none),
 * with docker's rules and messages: the subnet (given, or the first free
 * default pool), gateway and ip-range, the drivers (bridge, macvlan,
 * ipvlan; overlay refused), the bridge's name.
 */
import { randomBytes } from 'node:crypto';
import { BerthError, conflict, invalidArg, notFound } from '../errors.js';
import { immediate } from '../store/db.js';
import type { Store } from '../store/store.js';
import { nowRFC3339Nano } from '../util/time.js';
import { bridgeNameFree, ensureBridge, freeDefaultBridgeName, MTU, takenSubnets } from './bridges.js';
import { ifaceExists, withHostLock } from './host.js';
import {
  contains,
  firstFreePool,
  formatIp4,
  formatSubnet,
  hostRange,
  lastOf,
  overlaps,
  parseIp4,
  parseSubnet4,
  type Subnet4,
} from './ipv4.js';
import { contains6, formatIp6, formatSubnet6, parseIp6, parseSubnet6 } from './ipv6.js';
import { NetworkDb } from './network-db.js';
import { BRIDGE_NAME_OPT, type IpamConfig, type NetworkDriver, type NetworkRecord } from './types.js';

export interface NetworkCreate {
  name: string;
  /** bridge (default), macvlan, ipvlan */
  driver?: string;
  subnets?: string[];
  gateways?: string[];
  ipRanges?: string[];
  internal?: boolean;
  attachable?: boolean;
  ipv6?: boolean;
  /** -o KEY=VALUE (parent=IF, com.docker.network.bridge.name=NAME, macvlan_mode, ipvlan_mode, ...) */
  options?: Record<string, string>;
  labels?: Record<string, string>;
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const IFNAME_RE = /^[a-zA-Z0-9_.-]{1,15}$/;

function event(store: Store, n: NetworkRecord, action: string): void {
  store.event({ type: 'network', action, actorId: n.id, attributes: { name: n.name, type: n.driver } });
}

function checkDriver(d: string): NetworkDriver {
  if (d === 'bridge' || d === 'macvlan' || d === 'ipvlan') return d;
  if (d === 'overlay')
    throw new BerthError(
      'NOT_SUPPORTED',
      'overlay networks span a cluster of hosts (docker swarm); berth runs containers on this host only: use bridge, macvlan or ipvlan',
    );
  if (d === 'host' || d === 'null') throw invalidArg(`only one instance of "${d}" network is allowed`);
  throw notFound(`plugin "${d}" not found`);
}

interface Addressing {
  sub: Subnet4;
  gateway: number;
  first: number;
  last: number;
  ipam: IpamConfig[];
}

/** The IPv4 subnet, gateway and range of a new network, with docker's checks. */
function addressing(store: Store, o: NetworkCreate, v4: string | undefined, v6: string | undefined): Addressing {
  const gateways = o.gateways ?? [];
  const ranges = o.ipRanges ?? [];
  let sub: Subnet4;
  if (v4) {
    const s = parseSubnet4(v4);
    if (!s) throw invalidArg(`invalid CIDR address: ${v4}`);
    sub = s;
    const other = new NetworkDb(store.db).all().find((n) => {
      const ns = parseSubnet4(n.subnet);
      return ns && n.driver !== 'macvlan' && n.driver !== 'ipvlan' && overlaps(ns, sub);
    });
    if (other) throw invalidArg('Pool overlaps with other one on this address space');
  } else {
    if (gateways.some((g) => parseIp4(g) !== null) || ranges.some((r) => parseSubnet4(r)))
      throw invalidArg('Gateway and ip-range options require a subnet (--subnet)');
    const free = firstFreePool(takenSubnets(store));
    if (!free)
      throw new BerthError(
        'CONFLICT',
        'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
      );
    sub = free;
  }
  let gateway = hostRange(sub).first;
  let explicitGw = false;
  const sub6 = v6 ? parseSubnet6(v6) : null;
  for (const g of gateways) {
    const ip = parseIp4(g);
    if (ip !== null && contains(sub, ip)) {
      gateway = ip;
      explicitGw = true;
      continue;
    }
    const ip6 = parseIp6(g);
    if (ip6 !== null && sub6 && contains6(sub6, ip6)) continue;
    throw invalidArg(`no matching subnet for gateway ${g}`);
  }
  let { first, last } = hostRange(sub);
  let range: Subnet4 | null = null;
  for (const r of ranges) {
    const rs = parseSubnet4(r);
    if (!rs) throw invalidArg(`invalid CIDR address: ${r}`);
    if (!(contains(sub, rs.base) && contains(sub, lastOf(rs))))
      throw invalidArg(`no matching subnet for ip-range ${r}`);
    range = rs;
    first = Math.max(first, rs.base);
    last = Math.min(last, lastOf(rs));
  }
  const cfg: IpamConfig = { Subnet: formatSubnet(sub) };
  if (range) cfg.IPRange = formatSubnet(range);
  // docker shows the gateway it chose for the default bridge and for pools it picked, and a given one
  if (explicitGw || !v4) cfg.Gateway = formatIp4(gateway);
  const ipam: IpamConfig[] = [cfg];
  if (sub6) {
    const gw6 = gateways.map(parseIp6).find((x): x is bigint => x !== null) ?? sub6.base + 1n;
    ipam.push({ Subnet: formatSubnet6(sub6), Gateway: formatIp6(gw6) });
  }
  return { sub, gateway, first, last, ipam };
}

function splitSubnets(subnets: string[]): { v4?: string; v6?: string } {
  const v4 = subnets.filter((s) => !s.includes(':'));
  const v6 = subnets.filter((s) => s.includes(':'));
  if (v4.length > 1 || v6.length > 1)
    throw invalidArg('berth takes one IPv4 and one IPv6 subnet per network (--subnet)');
  for (const s of v6) if (!parseSubnet6(s)) throw invalidArg(`invalid CIDR address: ${s}`);
  return { ...(v4[0] ? { v4: v4[0] } : {}), ...(v6[0] ? { v6: v6[0] } : {}) };
}

export function createNetwork(store: Store, o: NetworkCreate): { id: string; warning: string } {
  if (!o.name || !NAME_RE.test(o.name)) throw invalidArg(`invalid network name "${o.name}"`);
  ensurePredefined(store);
  const driver = checkDriver(o.driver ?? 'bridge');
  const options = { ...(o.options ?? {}) };
  const { v4, v6 } = splitSubnets(o.subnets ?? []);
  if (o.ipv6 && !v6)
    throw invalidArg(
      'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network',
    );
  const id = randomBytes(32).toString('hex');
  let iface = '';
  if (driver === 'bridge') {
    iface = options[BRIDGE_NAME_OPT] ?? `br-${id.slice(0, 12)}`;
    if (!IFNAME_RE.test(iface)) throw invalidArg(`invalid bridge name ${iface}`);
  } else {
    const parent = options.parent;
    if (!parent) throw invalidArg(`${driver} networks need a parent interface: -o parent=IF`);
    if (!ifaceExists(parent)) throw invalidArg(`-o parent interface was not found on the host: ${parent}`);
    iface = parent;
    const mode = driver === 'macvlan' ? (options.macvlan_mode ?? 'bridge') : (options.ipvlan_mode ?? 'l2');
    const modes = driver === 'macvlan' ? ['bridge', 'private', 'vepa', 'passthru'] : ['l2', 'l3'];
    if (!modes.includes(mode)) throw invalidArg(`requested ${driver} mode '${mode}' is not valid`);
  }
  const net = withHostLock(() =>
    immediate(store.db, () => {
      const db = new NetworkDb(store.db);
      if (db.byName(o.name)) throw conflict(`network with name ${o.name} already exists`);
      if (driver === 'bridge' && (!bridgeNameFree(store, iface) || db.all().some((n) => n.iface === iface)))
        throw conflict(`bridge name ${iface} is already in use`);
      const a = addressing(store, o, v4, v6);
      const rec: NetworkRecord = {
        id,
        name: o.name,
        driver,
        created: nowRFC3339Nano(),
        internal: !!o.internal,
        attachable: !!o.attachable,
        ipv6: !!o.ipv6,
        iface,
        subnet: formatSubnet(a.sub),
        gateway: formatIp4(a.gateway),
        firstAddr: a.first,
        lastAddr: a.last,
        userSubnet: !!v4,
        options,
        labels: o.labels ?? {},
        ipam: { Driver: 'default', Options: {}, Config: a.ipam },
      };
      db.insert(rec);
      event(store, rec, 'create');
      return rec;
    }),
  );
  if (driver === 'bridge') ensureBridge(store, net);
  return { id: net.id, warning: '' };
}

/** bridge, host and none, made on first use (the default bridge's subnet is chosen then). */
export function ensurePredefined(store: Store): void {
  const db = new NetworkDb(store.db);
  if (db.byName('bridge') && db.byName('host') && db.byName('none')) return;
  withHostLock(() =>
    immediate(store.db, () => {
      const now = nowRFC3339Nano();
      const base = { internal: false, attachable: false, ipv6: false, labels: {}, userSubnet: false };
      const none = { ...base, subnet: '', gateway: '', firstAddr: 0, lastAddr: -1, iface: '', options: {} };
      if (!db.byName('host'))
        db.insert({
          ...none,
          id: randomBytes(32).toString('hex'),
          name: 'host',
          driver: 'host',
          created: now,
          ipam: { Driver: 'default', Options: null, Config: [] },
        });
      if (!db.byName('none'))
        db.insert({
          ...none,
          id: randomBytes(32).toString('hex'),
          name: 'none',
          driver: 'null',
          created: now,
          ipam: { Driver: 'default', Options: null, Config: [] },
        });
      if (db.byName('bridge')) return;
      // docker's 172.17.0.0/16 when the host does not route it, else the next free default pool
      const sub = firstFreePool(takenSubnets(store));
      if (!sub)
        throw new BerthError('CONFLICT', 'no free address pool for the default bridge network (172.17-31.0.0/16)');
      const iface = freeDefaultBridgeName(store);
      const gw = hostRange(sub).first;
      db.insert({
        ...base,
        id: randomBytes(32).toString('hex'),
        name: 'bridge',
        driver: 'bridge',
        created: now,
        iface,
        subnet: formatSubnet(sub),
        gateway: formatIp4(gw),
        firstAddr: gw + 1,
        lastAddr: hostRange(sub).last,
        options: {
          'com.docker.network.bridge.default_bridge': 'true',
          'com.docker.network.bridge.enable_icc': 'true',
          'com.docker.network.bridge.enable_ip_masquerade': 'true',
          'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
          [BRIDGE_NAME_OPT]: iface,
          'com.docker.network.driver.mtu': String(MTU),
        },
        ipam: { Driver: 'default', Options: null, Config: [{ Subnet: formatSubnet(sub), Gateway: formatIp4(gw) }] },
      });
    }),
  );
}
