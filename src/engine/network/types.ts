/** Networks as the store keeps them, and a container's attachment to one (docker's EndpointSettings). */

export type NetworkDriver = 'bridge' | 'macvlan' | 'ipvlan' | 'host' | 'null';

export interface IpamConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
}

export interface NetworkRecord {
  id: string;
  name: string;
  driver: NetworkDriver;
  /** RFC3339Nano */
  created: string;
  internal: boolean;
  attachable: boolean;
  ipv6: boolean;
  /** bridge: the bridge's name; macvlan, ipvlan: the parent interface; '' otherwise */
  iface: string;
  /** IPv4 subnet ("172.18.0.0/16"), '' for host and none */
  subnet: string;
  gateway: string;
  /** the range addresses are given from, as numbers */
  firstAddr: number;
  lastAddr: number;
  /** --subnet was given: --ip may be asked for */
  userSubnet: boolean;
  options: Record<string, string>;
  labels: Record<string, string>;
  ipam: { Driver: string; Options: Record<string, string> | null; Config: IpamConfig[] };
}

/** What a container asked for on one network (kept in its record while it is connected, running or not). */
export interface Attachment {
  /** --network-alias, connect --alias */
  Aliases: string[] | null;
  /** --ip, connect --ip */
  IPAMConfig: { IPv4Address?: string } | null;
  /** --mac-address (the first network only, as docker) */
  MacAddress?: string;
  /** --link NAME:ALIAS on this (user-defined) network: names only this container resolves */
  Links?: string[] | null;
}

/** A container's networks by name, in the order they were attached (the first one publishes the ports). */
export type Attachments = Record<string, Attachment>;

/** An address held by a running (or starting) container on a network. */
export interface EndpointRow {
  networkId: string;
  containerId: string;
  id: string;
  slot: number;
  addr: number;
  mac: string;
  ownerPid: number;
  ownerStart: number;
}

/** A host port held by a container. */
export interface HostPortRow {
  proto: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  port: number;
  containerId: string;
  containerPort: number;
}

/** The networks every store has, as docker's daemon has them. */
export const PREDEFINED = ['bridge', 'host', 'none'] as const;

/** docker's names for the default bridge's options (com.docker.network.bridge.*). */
export const BRIDGE_NAME_OPT = 'com.docker.network.bridge.name';

/** docker's default MTU for bridges and containers' interfaces. */
export const MTU_DEFAULT = 1500;
