/**
 * Which networks a container is on, and what it asked for on each: made at
 * create from --network, --network-alias, --ip and --mac-address, changed by
 * `network connect` and `disconnect`. Docker's checks and messages.
 */
import { BerthError, invalidArg } from '../errors.js';
import type { Store } from '../store/store.js';
import { contains, parseIp4, parseSubnet4 } from './ipv4.js';
import { findNetwork } from './service.js';
import type { Attachment, Attachments, NetworkRecord } from './types.js';
import { isContainerMode } from './container-options.js';

/** The network a mode names, by its record ('default' is the bridge); null for container:X. */
export function networkOfMode(store: Store, mode: string): NetworkRecord | null {
  if (isContainerMode(mode)) return null;
  return findNetwork(store, mode === 'default' ? 'bridge' : mode);
}

/** Check a requested address against a network, as docker does. */
export function checkRequestedIp(n: NetworkRecord, ip: string): void {
  if (!ip) return;
  const addr = parseIp4(ip);
  if (addr === null) throw invalidArg(`invalid IPv4 address: ${ip}`);
  if (n.name === 'bridge' || n.driver === 'host' || n.driver === 'null')
    throw invalidArg('user specified IP address is supported on user defined networks only');
  if (!n.userSubnet)
    throw invalidArg(
      'user specified IP address is supported only when connecting to networks with user configured subnets',
    );
  const sub = parseSubnet4(n.subnet)!;
  if (!contains(sub, addr)) throw invalidArg(`no configured subnet or ip-range contain the IP address ${ip}`);
}

export function attachment(o: { aliases?: string[]; ip?: string; mac?: string; links?: string[] }): Attachment {
  return {
    Aliases: o.aliases?.length ? o.aliases : null,
    IPAMConfig: o.ip ? { IPv4Address: o.ip } : null,
    ...(o.mac ? { MacAddress: o.mac } : {}),
    ...(o.links?.length ? { Links: o.links.map(parseLink).map((l) => `${l.name}:${l.alias}`) } : {}),
  };
}

/** A container name or alias as a link may give it (docker's name rule; nothing else goes into /etc/hosts). */
const LINK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/** docker's NAME[:ALIAS] link ("/name" as docker-py sends it); the alias defaults to the name. */
export function parseLink(link: string): { name: string; alias: string } {
  const parts = link.split(':');
  const name = (parts[0] ?? '').replace(/^\//, '');
  const alias = (parts[1] ?? name).replace(/^\//, '');
  if (parts.length > 2 || !LINK_NAME.test(name) || !LINK_NAME.test(alias))
    throw invalidArg(`bad format for links: ${link}`);
  return { name, alias };
}

/** The networks of a new container (one: docker's CLI takes one --network at create; connect adds more). */
export function initialAttachments(
  store: Store,
  mode: string,
  o: { aliases: string[]; ip: string; mac: string; links?: string[] },
): Attachments {
  const n = networkOfMode(store, mode);
  if (!n) return {};
  if (o.aliases.length && (n.name === 'bridge' || n.driver === 'host' || n.driver === 'null'))
    throw invalidArg('network-scoped alias is supported only for containers in user defined networks');
  // docker's legacy links (the default bridge: /etc/hosts entries and environment variables) are not berth's
  if (o.links?.length && (n.name === 'bridge' || n.driver !== 'bridge'))
    throw new BerthError(
      'NOT_SUPPORTED',
      'berth has links on user-defined networks only (--link): put the containers on a network of their own',
    );
  checkRequestedIp(n, o.ip);
  return { [n.name]: attachment(o) };
}
