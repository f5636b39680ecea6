/**
 * network.json: what the engine decided about a container's interfaces and
 * published ports, for berth-monitor to carry out when it creates the
 * container's network namespace (and again at each restart), and to undo
 * when the container exits (native/PROTOCOL.md, "Networking"). Pure.
 */
import { formatIp4, parseSubnet4 } from './ipv4.js';
import { ip6For, type Subnet6 } from './ipv6.js';
import { MTU_DEFAULT, type NetworkRecord } from './types.js';

export interface LinkSpec {
  /** veth: a pair with its host end on a bridge; macvlan, ipvlan: a child of a parent interface */
  kind: 'veth' | 'macvlan' | 'ipvlan';
  /** the name inside the container: eth0, eth1, ... */
  name: string;
  /** veth: the host end's name, and its bridge */
  host?: string;
  bridge?: string;
  /** macvlan, ipvlan: the parent interface, and the mode */
  parent?: string;
  mode?: string;
  /** "" for ipvlan (it has its parent's) */
  mac: string;
  mtu: number;
  /** "172.18.0.2/16", "fd00::2/64" */
  addresses: string[];
  routes: { dst: string; gateway?: string }[];
}

export interface PortSpec {
  proto: 'tcp' | 'udp' | 'sctp';
  /** "" for every address of the host */
  hostIp: string;
  hostPort: number;
}

export interface NetSpec {
  links: LinkSpec[];
  /** host ports the monitor holds bound while the container lives (a taken one fails the start) */
  ports: PortSpec[];
  /** commands run once before the container's first start, and once after its last exit */
  up: string[][];
  down: string[][];
  /** files removed after the last exit (DNS records) */
  unlink: string[];
}

export interface LinkInputs {
  net: NetworkRecord;
  slot: number;
  /** the container's address and MAC (or the launcher's markers for them) */
  ip: string;
  mac: string;
  hostEnd: string;
  /** this link carries the default route */
  defaultRoute: boolean;
  v6?: { sub: Subnet6; gateway: string; addr: number } | null;
}

export function linkSpec(i: LinkInputs): LinkSpec {
  const sub = parseSubnet4(i.net.subnet)!;
  const mtu = Number(i.net.options['com.docker.network.driver.mtu'] ?? MTU_DEFAULT) || MTU_DEFAULT;
  const addresses = [`${i.ip}/${sub.prefix}`];
  const routes: LinkSpec['routes'] = [];
  const ipvlanL3 = i.net.driver === 'ipvlan' && (i.net.options.ipvlan_mode ?? 'l2') !== 'l2';
  if (i.defaultRoute) routes.push(ipvlanL3 ? { dst: '0.0.0.0/0' } : { dst: '0.0.0.0/0', gateway: i.net.gateway });
  if (i.v6) {
    addresses.push(`${ip6For(i.v6.sub, i.v6.addr, sub.base)}/${i.v6.sub.prefix}`);
    if (i.defaultRoute && i.v6.gateway) routes.push({ dst: '::/0', gateway: i.v6.gateway });
  }
  const base = { name: `eth${i.slot}`, mtu, addresses, routes };
  if (i.net.driver === 'bridge') return { kind: 'veth', host: i.hostEnd, bridge: i.net.iface, mac: i.mac, ...base };
  if (i.net.driver === 'macvlan')
    return { kind: 'macvlan', parent: i.net.iface, mode: i.net.options.macvlan_mode ?? 'bridge', mac: i.mac, ...base };
  return { kind: 'ipvlan', parent: i.net.iface, mode: i.net.options.ipvlan_mode ?? 'l2', mac: '', ...base };
}

/** The IPv4 address a network gives for `addr` (a number), as text. */
export const ipText = (addr: number) => formatIp4(addr);
