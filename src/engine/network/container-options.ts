/**
 * The network flags of `create`/`run` (--network, -p, -P, --expose, --ip,
 * --network-alias, --mac-address, --dns, --dns-search, --dns-option,
 * --add-host), checked as docker checks them and turned into what docker
 * records: NetworkMode, Config.ExposedPorts and MacAddress, HostConfig's
 * PortBindings, PublishAllPorts, Dns, DnsSearch, DnsOptions, ExtraHosts.
 * Pure; whether a named network exists is the caller's question.
 */
import type { ContainerRecord } from '../container/types.js';
import { invalidArg } from '../errors.js';
import type { ContainerCreateRequest } from '../types.js';
import type { Attachments } from './types.js';
import { parseIp4, validMac } from './ipv4.js';
import { parseIp6 } from './ipv6.js';
import { portConfig, type PortMap } from './ports.js';

export interface NetworkOptions {
  mode: string;
  exposed: Record<string, object>;
  portBindings: PortMap;
  publishAll: boolean;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  extraHosts: string[] | null;
  macAddress: string;
  /** the user-defined network the container is created on, with what it asked for there; null for the others */
  userNetwork: string | null;
  aliases: string[];
  ip: string;
}

const isIp = (s: string) => parseIp4(s) !== null || parseIp6(s) !== null;

/** Modes that are not a network's name. */
export const isContainerMode = (mode: string) => mode.startsWith('container:');
export const BUILTIN_MODES = ['default', 'bridge', 'host', 'none'];

export function networkOptions(req: ContainerCreateRequest, imageExposed: Record<string, object>): NetworkOptions {
  const mode = req.network ?? 'default';
  if (!mode) throw invalidArg('network mode cannot be empty');
  const container = isContainerMode(mode);
  if (container && mode.length === 'container:'.length) throw invalidArg(`invalid network mode: ${mode}`);
  const user = !BUILTIN_MODES.includes(mode) && !container;
  const { exposed, bindings } = portConfig(req.publish ?? [], req.expose ?? []);
  if (container && (Object.keys(bindings).length || req.publishAll))
    throw invalidArg('conflicting options: port publishing and the container type network mode');
  if (container && (req.dns?.length || req.dnsSearch?.length || req.dnsOptions?.length))
    throw invalidArg('conflicting options: dns and the network mode');
  if (container && req.hostname) throw invalidArg('conflicting options: hostname and the network mode');
  if (container && req.addHosts?.length)
    throw invalidArg('conflicting options: custom host-to-IP mapping and the network mode');
  if (container && req.macAddress) throw invalidArg('conflicting options: mac-address and the network mode');
  for (const d of req.dns ?? []) if (!isIp(d)) throw invalidArg(`${d} is not an ip address`);
  for (const h of req.addHosts ?? []) {
    const i = h.indexOf(':');
    const name = h.slice(0, i);
    const ip = h.slice(i + 1);
    if (i <= 0 || (!isIp(ip) && ip !== 'host-gateway'))
      throw invalidArg(`invalid argument "${h}" for "--add-host" flag: invalid IP address in add-host: "${ip}"`);
    if (!name) throw invalidArg(`bad format for add-host: "${h}"`);
  }
  if (req.macAddress && !validMac(req.macAddress)) throw invalidArg(`${req.macAddress} is not a valid mac address`);
  if (req.networkAliases?.length && !user)
    throw invalidArg('network-scoped alias is supported only for containers in user defined networks');
  if (req.ip) {
    if (parseIp4(req.ip) === null) throw invalidArg(`invalid IPv4 address: ${req.ip}`);
    if (!user) throw invalidArg('user specified IP address is supported on user defined networks only');
  }
  const allExposed: Record<string, object> = { ...imageExposed };
  for (const p of exposed) allExposed[p] = {};
  const host = mode === 'host';
  return {
    mode,
    exposed: allExposed,
    // docker: published ports are discarded under --network host (the CLI warns)
    portBindings: host ? {} : bindings,
    publishAll: !!req.publishAll && !host,
    dns: req.dns ?? [],
    dnsSearch: req.dnsSearch ?? [],
    dnsOptions: req.dnsOptions ?? [],
    extraHosts: req.addHosts?.length ? req.addHosts : null,
    macAddress: req.macAddress ? req.macAddress.toLowerCase().replace(/-/g, ':') : '',
    userNetwork: user ? mode : null,
    aliases: req.networkAliases ?? [],
    ip: req.ip ?? '',
  };
}

/** The networks a container is on; records from before networks were kept name theirs by the mode. */
export function attachmentsOf(rec: Pick<ContainerRecord, 'networks' | 'hostConfig'>): Attachments {
  if (rec.networks && Object.keys(rec.networks).length) return rec.networks;
  const mode = rec.hostConfig.NetworkMode;
  if (isContainerMode(mode)) return {};
  return { [mode === 'default' ? 'bridge' : mode]: { Aliases: null, IPAMConfig: null } };
}
