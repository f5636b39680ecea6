/**
 * SQL for networks, endpoints (the addresses of running containers) and
 * host ports: rows in, records out. The allocation statement is shared with
 * the native launcher through the run plan (run-plan.ts), so both sides pick
 * addresses by the same rule, in one transaction each.
 */
import { statement, type Db } from '../store/db.js';
import type { EndpointRow, HostPortRow, NetworkRecord } from './types.js';

interface NetRow {
  id: string;
  name: string;
  driver: string;
  created: string;
  internal: number;
  attachable: number;
  ipv6: number;
  iface: string;
  subnet: string;
  gateway: string;
  first_addr: number;
  last_addr: number;
  user_subnet: number;
  options: string;
  labels: string;
  ipam: string;
}

const toNetwork = (r: NetRow): NetworkRecord => ({
  id: r.id,
  name: r.name,
  driver: r.driver as NetworkRecord['driver'],
  created: r.created,
  internal: !!r.internal,
  attachable: !!r.attachable,
  ipv6: !!r.ipv6,
  iface: r.iface,
  subnet: r.subnet,
  gateway: r.gateway,
  firstAddr: r.first_addr,
  lastAddr: r.last_addr,
  userSubnet: !!r.user_subnet,
  options: JSON.parse(r.options),
  labels: JSON.parse(r.labels),
  ipam: JSON.parse(r.ipam),
});

interface EpRow {
  network_id: string;
  container_id: string;
  id: string;
  slot: number;
  addr: number;
  mac: string;
  owner_pid: number;
  owner_start: number;
}

const toEndpoint = (r: EpRow): EndpointRow => ({
  networkId: r.network_id,
  containerId: r.container_id,
  id: r.id,
  slot: r.slot,
  addr: r.addr,
  mac: r.mac,
  ownerPid: r.owner_pid,
  ownerStart: r.owner_start,
});

/**
 * The lowest free address of a network, held for the container (1st parameter) by a process (2nd)
 * with that start time (3rd), on interface eth<slot>: the candidates are the range's
 * first address and the one after each address in use (or after the
 * gateway), so the statement reads one index range. Returns the row's
 * address and MAC as text; nothing when the range is full.
 */
export function allocateSql(net: NetworkRecord, slot: number, gateway: number | null, mac?: string): string {
  const n = `'${net.id}'`;
  const gw = gateway ?? -1;
  const macExpr = mac
    ? `'${mac.toLowerCase().replace(/-/g, ':')}'`
    : `printf('02:42:%02x:%02x:%02x:%02x', (a >> 24) & 255, (a >> 16) & 255, (a >> 8) & 255, a & 255)`;
  return (
    `INSERT INTO endpoints (network_id, container_id, id, slot, addr, mac, owner_pid, owner_start) ` +
    `SELECT ${n}, ?, lower(hex(randomblob(32))), ${slot}, a, ${macExpr}, ?, ? FROM (` +
    `SELECT MIN(c) AS a FROM (SELECT ${net.firstAddr} AS c UNION ALL SELECT ${gw} + 1 ` +
    `UNION ALL SELECT addr + 1 FROM endpoints WHERE network_id = ${n} AND addr >= ${net.firstAddr} - 1 AND addr < ${net.lastAddr}) ` +
    `WHERE c BETWEEN ${net.firstAddr} AND ${net.lastAddr} AND c != ${gw} ` +
    `AND NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.network_id = ${n} AND e.addr = c)) WHERE a IS NOT NULL ` +
    `RETURNING printf('%d.%d.%d.%d', (addr >> 24) & 255, (addr >> 16) & 255, (addr >> 8) & 255, addr & 255) AS ip, mac`
  );
}

export class NetworkDb {
  constructor(readonly db: Db) {}

  all(): NetworkRecord[] {
    return (statement(this.db, 'SELECT * FROM networks ORDER BY created').all() as NetRow[]).map(toNetwork);
  }

  get(id: string): NetworkRecord | null {
    const r = statement(this.db, 'SELECT * FROM networks WHERE id = ?').get(id) as NetRow | undefined;
    return r ? toNetwork(r) : null;
  }

  byName(name: string): NetworkRecord | null {
    const r = statement(this.db, 'SELECT * FROM networks WHERE name = ?').get(name) as NetRow | undefined;
    return r ? toNetwork(r) : null;
  }

  idsWithPrefix(prefix: string): string[] {
    return (
      statement(this.db, 'SELECT id FROM networks WHERE id >= ? AND id < ?').all(prefix, `${prefix}\u{10FFFF}`) as {
        id: string;
      }[]
    ).map((r) => r.id);
  }

  insert(n: NetworkRecord): void {
    this.db
      .prepare(
        `INSERT INTO networks (id, name, driver, created, internal, attachable, ipv6, iface, subnet, gateway,
           first_addr, last_addr, user_subnet, options, labels, ipam)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        n.id,
        n.name,
        n.driver,
        n.created,
        +n.internal,
        +n.attachable,
        +n.ipv6,
        n.iface,
        n.subnet,
        n.gateway,
        n.firstAddr,
        n.lastAddr,
        +n.userSubnet,
        JSON.stringify(n.options),
        JSON.stringify(n.labels),
        JSON.stringify(n.ipam),
      );
  }

  /** Rewrite a network's bridge and addressing (the default bridge moves when its name or subnet was taken). */
  update(n: NetworkRecord): void {
    this.db
      .prepare(
        `UPDATE networks SET iface = ?, subnet = ?, gateway = ?, first_addr = ?, last_addr = ?, options = ?, ipam = ?
         WHERE id = ?`,
      )
      .run(
        n.iface,
        n.subnet,
        n.gateway,
        n.firstAddr,
        n.lastAddr,
        JSON.stringify(n.options),
        JSON.stringify(n.ipam),
        n.id,
      );
  }

  delete(id: string): void {
    statement(this.db, 'DELETE FROM networks WHERE id = ?').run(id);
  }

  // ---- endpoints ----

  endpoints(): EndpointRow[] {
    return (statement(this.db, 'SELECT * FROM endpoints').all() as EpRow[]).map(toEndpoint);
  }

  endpointsOf(containerId: string): EndpointRow[] {
    return (
      statement(this.db, 'SELECT * FROM endpoints WHERE container_id = ? ORDER BY slot').all(containerId) as EpRow[]
    ).map(toEndpoint);
  }

  endpointsOn(networkId: string): EndpointRow[] {
    return (statement(this.db, 'SELECT * FROM endpoints WHERE network_id = ?').all(networkId) as EpRow[]).map(
      toEndpoint,
    );
  }

  endpointAt(networkId: string, addr: number): EndpointRow | null {
    const r = statement(this.db, 'SELECT * FROM endpoints WHERE network_id = ? AND addr = ?').get(networkId, addr) as
      EpRow | undefined;
    return r ? toEndpoint(r) : null;
  }

  /** Run an allocateSql statement; the address and MAC, or null when the range is full. */
  allocate(sql: string, containerId: string, pid: number, start: number): { ip: string; mac: string } | null {
    return (this.db.prepare(sql).get(containerId, pid, start) as { ip: string; mac: string } | undefined) ?? null;
  }

  insertEndpoint(e: EndpointRow): void {
    this.db
      .prepare(
        `INSERT INTO endpoints (network_id, container_id, id, slot, addr, mac, owner_pid, owner_start)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.networkId, e.containerId, e.id, e.slot, e.addr, e.mac, e.ownerPid, e.ownerStart);
  }

  setOwner(containerId: string, pid: number, start: number): void {
    this.db
      .prepare('UPDATE endpoints SET owner_pid = ?, owner_start = ? WHERE container_id = ?')
      .run(pid, start, containerId);
  }

  deleteEndpoint(networkId: string, containerId: string): void {
    statement(this.db, 'DELETE FROM endpoints WHERE network_id = ? AND container_id = ?').run(networkId, containerId);
  }

  // ---- host ports ----

  hostPorts(): HostPortRow[] {
    return (statement(this.db, 'SELECT * FROM host_ports').all() as HpRow[]).map(toHostPort);
  }

  hostPortsOf(containerId: string): HostPortRow[] {
    return (statement(this.db, 'SELECT * FROM host_ports WHERE container_id = ?').all(containerId) as HpRow[]).map(
      toHostPort,
    );
  }

  /** Rows that hold the port for the address (one for every address conflicts with any other). */
  hostPortHolders(proto: string, hostIp: string, port: number): HostPortRow[] {
    return (
      this.db
        .prepare("SELECT * FROM host_ports WHERE proto = ? AND port = ? AND (host_ip = ? OR host_ip = '' OR ? = '')")
        .all(proto, port, hostIp, hostIp) as HpRow[]
    ).map(toHostPort);
  }

  insertHostPort(p: HostPortRow): void {
    this.db
      .prepare('INSERT INTO host_ports (proto, host_ip, port, container_id, container_port) VALUES (?, ?, ?, ?, ?)')
      .run(p.proto, p.hostIp, p.port, p.containerId, p.containerPort);
  }

  /** Every address and host port of a container. */
  release(containerId: string): void {
    statement(this.db, 'DELETE FROM endpoints WHERE container_id = ?').run(containerId);
    statement(this.db, 'DELETE FROM host_ports WHERE container_id = ?').run(containerId);
  }

  /** The containers holding an address or a port, with who holds them. */
  holders(): { containerId: string; ownerPid: number; ownerStart: number }[] {
    return this.db
      .prepare(
        `SELECT container_id AS containerId, owner_pid AS ownerPid, owner_start AS ownerStart FROM endpoints
         UNION SELECT container_id, 0, 0 FROM host_ports WHERE container_id NOT IN (SELECT container_id FROM endpoints)`,
      )
      .all() as { containerId: string; ownerPid: number; ownerStart: number }[];
  }
}

interface HpRow {
  proto: string;
  host_ip: string;
  port: number;
  container_id: string;
  container_port: number;
}

const toHostPort = (r: HpRow): HostPortRow => ({
  proto: r.proto as HostPortRow['proto'],
  hostIp: r.host_ip,
  port: r.port,
  containerId: r.container_id,
  containerPort: r.container_port,
});
