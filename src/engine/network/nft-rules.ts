/**
 * berth's nftables table, as text for `nft -f`. Pure.
 *
 * One table per store (`inet berth` for the default root). Published ports
 * live in two maps, (protocol, host port) and (host address, protocol, host
 * port) to (container address, container port): a container's ports are map
 * elements its monitor adds at start and deletes at exit, so the rules never
 * change per container. The rest (which bridges are berth's, which subnets
 * are masqueraded, isolation between bridges, internal networks) is
 * rewritten whenever a network is created, first used or removed; the maps
 * are never flushed then.
 */
import type { PublishedPort } from './ports.js';

export interface BridgeNet {
  bridge: string;
  subnet: string;
  gateway: string;
  internal: boolean;
}

const CHAINS = ['hostports', 'prerouting', 'output', 'postrouting', 'forward', 'input', 'internal_in'];
const SETS = ['bridges', 'nets4', 'masq4', 'internal', 'same', 'dns4'];

/** The table's name for a store: `berth` for the default root, `berth_<hash>` for any other. */
export function tableName(rootHash: string | null): string {
  return rootHash ? `berth_${rootHash}` : 'berth';
}

const q = (s: string) => `"${s.replace(/["\\]/g, '')}"`;

/**
 * The whole table but the port maps' elements: idempotent, one transaction.
 *
 * Per packet, an established flow walks no NAT rule (the kernel applies a
 * connection's NAT from its conntrack entry) and, in the filter chains, a
 * fixed number of rules whatever the number of networks: bridges, internal
 * networks and their DNS addresses are set elements, looked up by hash.
 * Without an internal network there is no input chain at all, so a packet
 * for the host (a published port's from 127.0.0.1 among them) walks none of
 * berth's rules.
 */
export function tableScript(table: string, nets: BridgeNet[]): string {
  const t = `inet ${table}`;
  const internal = nets.filter((n) => n.internal);
  const lines = [
    `table ${t} {`,
    `  map ports4 { type inet_proto . inet_service : ipv4_addr . inet_service ; }`,
    `  map ports4ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service ; }`,
    `  set bridges { type ifname ; }`,
    `  set nets4 { type ipv4_addr ; flags interval ; auto-merge ; }`,
    `  set masq4 { type ipv4_addr ; flags interval ; auto-merge ; }`,
    // internal bridges; (bridge . bridge) for each bridge; (internal bridge . its gateway) for its DNS
    `  set internal { type ifname ; }`,
    `  set same { type ifname . ifname ; }`,
    `  set dns4 { type ifname . ipv4_addr ; }`,
    `  chain hostports { }`,
    `  chain internal_in { }`,
    `  chain prerouting { type nat hook prerouting priority dstnat ; policy accept ; }`,
    `  chain output { type nat hook output priority -100 ; policy accept ; }`,
    `  chain postrouting { type nat hook postrouting priority srcnat ; policy accept ; }`,
    `  chain forward { type filter hook forward priority filter ; policy accept ; }`,
    `  chain input { type filter hook input priority filter ; policy accept ; }`,
    `}`,
    ...CHAINS.map((c) => `flush chain ${t} ${c}`),
    ...SETS.map((s) => `flush set ${t} ${s}`),
  ];
  if (nets.length) {
    lines.push(`add element ${t} bridges { ${nets.map((n) => q(n.bridge)).join(', ')} }`);
    lines.push(`add element ${t} nets4 { ${nets.map((n) => n.subnet).join(', ')} }`);
    lines.push(`add element ${t} same { ${nets.map((n) => `${q(n.bridge)} . ${q(n.bridge)}`).join(', ')} }`);
    const masq = nets.filter((n) => !n.internal);
    if (masq.length) lines.push(`add element ${t} masq4 { ${masq.map((n) => n.subnet).join(', ')} }`);
  }
  if (internal.length) {
    lines.push(`add element ${t} internal { ${internal.map((n) => q(n.bridge)).join(', ')} }`);
    lines.push(`add element ${t} dns4 { ${internal.map((n) => `${q(n.bridge)} . ${n.gateway}`).join(', ')} }`);
  }
  lines.push(
    // a published port, for a connection to any address of the host (the host's own 127.0.0.1 included)
    `add rule ${t} hostports dnat ip to ip daddr . meta l4proto . th dport map @ports4ip`,
    `add rule ${t} hostports dnat ip to meta l4proto . th dport map @ports4`,
    `add rule ${t} prerouting fib daddr type local jump hostports`,
    `add rule ${t} output fib daddr type local jump hostports`,
    // from the host's loopback (route_localnet on the bridges) and between containers through the host: the
    // reply must come back through the host, so the source becomes the bridge's address
    `add rule ${t} postrouting ct status dnat ip saddr 127.0.0.0/8 oifname @bridges masquerade`,
    `add rule ${t} postrouting ct status dnat ip saddr @nets4 ip daddr @nets4 masquerade`,
    // leaving the host
    `add rule ${t} postrouting ip saddr @masq4 oifname != @bridges masquerade`,
    // an internal network has no way out, and no way in but from itself
    `add rule ${t} forward iifname @internal iifname . oifname != @same drop`,
    `add rule ${t} forward oifname @internal iifname . oifname != @same drop`,
    // published ports reach their container from anywhere; otherwise two bridges never reach each other
    `add rule ${t} forward ct status dnat accept`,
    `add rule ${t} forward iifname @bridges oifname @bridges iifname . oifname != @same drop`,
  );
  if (internal.length) {
    lines.push(
      `add rule ${t} input iifname @internal jump internal_in`,
      // the host only for the network's DNS responder on the gateway: no host service is a way out either
      `add rule ${t} internal_in meta l4proto { tcp, udp } th dport 53 iifname . ip daddr @dns4 accept`,
      // (answers to what the host started, e.g. the host reaching a container by its address, still come in)
      `add rule ${t} internal_in ct state established,related accept`,
      `add rule ${t} internal_in drop`,
    );
  } else {
    // no hook for nothing to do: the input chain comes back with the first internal network
    lines.push(`delete chain ${t} input`);
  }
  return lines.join('\n') + '\n';
}

const key = (p: PublishedPort) =>
  p.hostIp ? `${p.hostIp} . ${p.proto} . ${p.hostPort}` : `${p.proto} . ${p.hostPort}`;
const map = (p: PublishedPort) => (p.hostIp ? 'ports4ip' : 'ports4');

/** The map elements of a container's published ports. */
export function portsUpScript(table: string, containerIp: string, ports: PublishedPort[]): string {
  return (
    ports
      .map((p) => `add element inet ${table} ${map(p)} { ${key(p)} : ${containerIp} . ${p.containerPort} }`)
      .join('\n') + '\n'
  );
}

export function portsDownScript(table: string, ports: PublishedPort[]): string {
  return ports.map((p) => `delete element inet ${table} ${map(p)} { ${key(p)} }`).join('\n') + '\n';
}

/** Remove the table (its store is gone). */
export const dropTableScript = (table: string): string => `delete table inet ${table}\n`;
