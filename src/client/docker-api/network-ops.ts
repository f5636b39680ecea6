/** The remote backend's networks: the Docker Engine API's /networks routes. */
import type { NetworkCreate, NetworkResource } from '../api.js';
import { filtersJson, type Connection } from './connection.js';

const enc = encodeURIComponent;

export async function createNetwork(conn: Connection, o: NetworkCreate): Promise<{ id: string; warning: string }> {
  const config = (o.subnets ?? []).map((Subnet, i) => ({
    Subnet,
    ...(o.gateways?.[i] ? { Gateway: o.gateways[i] } : {}),
    ...(o.ipRanges?.[i] ? { IPRange: o.ipRanges[i] } : {}),
  }));
  const r = (await conn.json('POST', '/networks/create', {
    body: {
      Name: o.name,
      Driver: o.driver ?? 'bridge',
      Internal: !!o.internal,
      Attachable: !!o.attachable,
      EnableIPv6: !!o.ipv6,
      ...(config.length ? { IPAM: { Driver: 'default', Config: config } } : {}),
      Options: o.options ?? {},
      Labels: o.labels ?? {},
      CheckDuplicate: true,
    },
  })) as { Id: string; Warning?: string };
  return { id: r.Id, warning: r.Warning ?? '' };
}

export async function listNetworks(conn: Connection, filters?: Map<string, string[]>): Promise<NetworkResource[]> {
  return (await conn.json('GET', '/networks', { query: { filters: filtersJson(filters) } })) as NetworkResource[];
}

export async function inspectNetwork(conn: Connection, ref: string): Promise<NetworkResource> {
  return (await conn.json('GET', `/networks/${enc(ref)}`)) as NetworkResource;
}

export async function removeNetwork(conn: Connection, ref: string): Promise<string> {
  const { Id } = (await inspectNetwork(conn, ref)) as unknown as { Id: string };
  await conn.call('DELETE', `/networks/${enc(Id)}`);
  return Id;
}

export async function pruneNetworks(conn: Connection, filters?: Map<string, string[]>): Promise<{ deleted: string[] }> {
  const r = (await conn.json('POST', '/networks/prune', { query: { filters: filtersJson(filters) } })) as {
    NetworksDeleted?: string[] | null;
  };
  return { deleted: r.NetworksDeleted ?? [] };
}

export async function connectNetwork(
  conn: Connection,
  network: string,
  container: string,
  o: { aliases?: string[]; ip?: string } = {},
): Promise<void> {
  await conn.call('POST', `/networks/${enc(network)}/connect`, {
    body: {
      Container: container,
      EndpointConfig: {
        ...(o.aliases?.length ? { Aliases: o.aliases } : {}),
        ...(o.ip ? { IPAMConfig: { IPv4Address: o.ip } } : {}),
      },
    },
  });
}

export async function disconnectNetwork(conn: Connection, network: string, container: string, force?: boolean) {
  await conn.call('POST', `/networks/${enc(network)}/disconnect`, { body: { Container: container, Force: !!force } });
}
