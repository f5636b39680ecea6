/**
 * Linux bridges for bridge networks, and the store's nftables table: made
 * when a network is created or first used (after a reboot they are gone),
 * removed with the network. Host-wide changes run under the host lock.
 */
import { randomBytes } from 'node:crypto';
import { BerthError } from '../errors.js';
import type { Store } from '../store/store.js';
import { hostRoutes, ifaceAlias, ifaceExists, ipBatch, nftApply, withHostLock, writeSysctl } from './host.js';
import { firstFreePool, formatIp4, formatSubnet, hostRange, overlaps, parseSubnet4, type Subnet4 } from './ipv4.js';
import { NetworkDb } from './network-db.js';
import { tableScript, type BridgeNet } from './nft-rules.js';
import { netScope } from './scope.js';
import { BRIDGE_NAME_OPT, MTU_DEFAULT, type NetworkRecord } from './types.js';

export { MTU_DEFAULT as MTU } from './types.js';

/** Subnets the host or this store already uses: a new network's must overlap none. */
export function takenSubnets(store: Store): Subnet4[] {
  const mine = new NetworkDb(store.db)
    .all()
    .map((n) => parseSubnet4(n.subnet))
    .filter((s): s is Subnet4 => !!s);
  return [...hostRoutes(), ...mine];
}

/** Is this interface name free for this store (absent, or a leftover of this store)? */
export function bridgeNameFree(store: Store, name: string): boolean {
  return !ifaceExists(name) || ifaceAlias(name) === netScope(store).alias;
}

/** Rewrite the store's table for its bridge networks (never touching the published ports' maps). */
export function applyTable(store: Store): void {
  const nets: BridgeNet[] = new NetworkDb(store.db)
    .all()
    .filter((n) => n.driver === 'bridge' && n.subnet && ifaceExists(n.iface))
    .map((n) => ({ bridge: n.iface, subnet: n.subnet, gateway: n.gateway, internal: n.internal }));
  withHostLock(() => nftApply(tableScript(netScope(store).table, nets)));
}

function createBridge(store: Store, net: NetworkRecord): void {
  const sub = parseSubnet4(net.subnet)!;
  const alias = netScope(store).alias;
  const v6 = net.ipv6 ? net.ipam.Config.find((c) => c.Subnet?.includes(':')) : undefined;
  // a fixed address: a bridge without one takes its lowest port's, which changes as containers come and go
  const mac = ['02', ...[...randomBytes(5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
  ipBatch([
    `link add name ${net.iface} address ${mac} type bridge`,
    `link set dev ${net.iface} alias "${alias}" mtu ${MTU_DEFAULT}`,
    `addr add ${net.gateway}/${sub.prefix} dev ${net.iface}`,
    ...(v6 ? [`addr add ${v6.Gateway}/${v6.Subnet!.split('/')[1]} dev ${net.iface}`] : []),
  ]);
  // no IPv6 on a network without it: nothing on the bridge sends unasked (its ports' counters stay still)
  if (!v6) writeSysctl(`net.ipv6.conf.${net.iface}.disable_ipv6`, '1');
  ipBatch([`link set dev ${net.iface} up`]);
  if (v6 && !net.internal) writeSysctl('net.ipv6.conf.all.forwarding', '1');
  // published ports answer on the host's 127.0.0.1: DNAT'd loopback packets may leave through the bridge
  writeSysctl(`net.ipv4.conf.${net.iface}.route_localnet`, '1');
  if (!net.internal) writeSysctl('net.ipv4.ip_forward', '1');
}

/** The default bridge on another name and subnet: what it had was taken (by another store, or the host) meanwhile. */
function moveDefault(store: Store, net: NetworkRecord, nameTaken: boolean, subnetTaken: boolean): NetworkRecord {
  let cur = net;
  if (nameTaken) {
    const iface = freeDefaultBridgeName(store);
    cur = { ...cur, iface, options: { ...cur.options, [BRIDGE_NAME_OPT]: iface } };
  }
  if (subnetTaken) {
    const others = takenSubnets(store).filter((s) => formatSubnet(s) !== net.subnet);
    const sub = firstFreePool([...hostRoutes(), ...others]);
    if (!sub) throw new BerthError('CONFLICT', 'no free address pool for the default bridge network');
    const gw = hostRange(sub).first;
    cur = {
      ...cur,
      subnet: formatSubnet(sub),
      gateway: formatIp4(gw),
      firstAddr: gw + 1,
      lastAddr: hostRange(sub).last,
      ipam: { ...cur.ipam, Config: [{ Subnet: formatSubnet(sub), Gateway: formatIp4(gw) }] },
    };
  }
  new NetworkDb(store.db).update(cur);
  return cur;
}

/**
 * The network's bridge exists and is this store's, with the table's rules
 * for it; made if missing. A default bridge whose name or subnet another
 * store (or the host) took meanwhile moves to the next free ones.
 */
export function ensureBridge(store: Store, net: NetworkRecord): NetworkRecord {
  const alias = netScope(store).alias;
  if (ifaceExists(net.iface) && ifaceAlias(net.iface) === alias) return net;
  return withHostLock(() => {
    const fresh = new NetworkDb(store.db).get(net.id) ?? net;
    if (ifaceExists(fresh.iface) && ifaceAlias(fresh.iface) === alias) return fresh;
    const nameTaken = ifaceExists(fresh.iface);
    const sub = parseSubnet4(fresh.subnet)!;
    const subnetTaken = hostRoutes().some((r) => overlaps(r, sub));
    let cur = fresh;
    if (nameTaken || subnetTaken) {
      if (fresh.name !== 'bridge')
        throw new BerthError(
          'CONFLICT',
          nameTaken
            ? `the bridge ${fresh.iface} of network ${fresh.name} belongs to another berth store or to the host`
            : `the subnet ${fresh.subnet} of network ${fresh.name} is routed by the host meanwhile`,
        );
      cur = moveDefault(store, fresh, nameTaken, subnetTaken);
    }
    createBridge(store, cur);
    applyTable(store);
    return cur;
  });
}

/** berth0, or the next berthN that no interface and no network of this store has. */
export function freeDefaultBridgeName(store: Store): string {
  const used = new Set(new NetworkDb(store.db).all().map((n) => n.iface));
  for (let i = 0; ; i++) {
    const name = `berth${i}`;
    if (!used.has(name) && bridgeNameFree(store, name)) return name;
  }
}

/** Remove a network's bridge (if it is this store's) and its rules. */
export function removeBridge(store: Store, net: NetworkRecord): void {
  withHostLock(() => {
    if (ifaceExists(net.iface) && ifaceAlias(net.iface) === netScope(store).alias)
      ipBatch([`link del dev ${net.iface}`]);
    applyTable(store);
  });
}
