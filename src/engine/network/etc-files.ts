/**
 * The /etc/resolv.conf and /etc/hosts a container gets, as docker writes
 * them (libnetwork resolvconf and etchosts). Pure but for readHostResolv:
 * the host's files come in as text.
 */
import { readFileSync } from 'node:fs';

/** What the host's resolver configuration says, read from the files below. */
export interface HostResolv {
  /** /etc/resolv.conf ("" when absent) */
  text: string;
  /** systemd-resolved's file of upstream servers, when /etc/resolv.conf names its loopback stub and it exists */
  upstream?: string;
}

/** Files read to know the host's resolvers: /etc/resolv.conf, and systemd-resolved's list of upstream servers. */
export const HOST_RESOLV_FILES = ['/etc/resolv.conf', '/run/systemd/resolve/resolv.conf'] as const;

export function readHostResolv(): HostResolv {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  const upstream = read(HOST_RESOLV_FILES[1]);
  return { text: read(HOST_RESOLV_FILES[0]) ?? '', ...(upstream !== undefined ? { upstream } : {}) };
}

const LOOPBACK_NS = /^\s*nameserver\s+(127\.\d+\.\d+\.\d+|::1)\s*$/;
const NAMESERVER = /^\s*nameserver\s+(\S+)/;

/** The resolver file docker starts from: systemd-resolved's upstream file when the host's names its stub. */
export function baseResolv(h: HostResolv): string {
  const lines = h.text.split('\n');
  const servers = lines.filter((l) => NAMESERVER.test(l));
  if (h.upstream !== undefined && servers.length && servers.every((l) => LOOPBACK_NS.test(l))) return h.upstream;
  return h.text;
}

/** The nameservers of a resolv.conf text. */
export function nameservers(text: string): string[] {
  return text
    .split('\n')
    .map((l) => NAMESERVER.exec(l)?.[1])
    .filter((s): s is string => !!s);
}

export interface DnsSettings {
  /** --dns */
  servers?: string[];
  /** --dns-search ("." alone: no search list) */
  search?: string[];
  /** --dns-option */
  options?: string[];
}

/**
 * resolv.conf for a container in its own network namespace.
 * `responder`: the address of the network's DNS responder (user-defined
 * networks), which then comes first and answers for the containers and
 * forwards the rest to the host's resolvers.
 */
export function containerResolv(h: HostResolv, dns: DnsSettings, responder?: string): string {
  const base = baseResolv(h);
  const lines = base.split('\n');
  let servers = dns.servers?.length ? dns.servers : nameservers(base).filter((s) => !/^127\./.test(s) && s !== '::1');
  if (!servers.length && !responder) servers = ['8.8.8.8', '8.8.4.4'];
  if (responder) servers = [responder, ...(dns.servers ?? [])];
  const keep = lines.filter((l) => !NAMESERVER.test(l) && !/^\s*(search|domain|options)\s/.test(l));
  const search = dns.search?.length
    ? dns.search.filter((s) => s !== '.')
    : (lines
        .filter((l) => /^\s*(search|domain)\s/.test(l))
        .pop()
        ?.trim()
        .split(/\s+/)
        .slice(1) ?? []);
  let options = dns.options?.length
    ? dns.options
    : (lines
        .filter((l) => /^\s*options\s/.test(l))
        .pop()
        ?.trim()
        .split(/\s+/)
        .slice(1) ?? []);
  // docker's embedded resolver: names without dots go to it first (options ndots:0 unless set)
  if (responder && !options.some((o) => o.startsWith('ndots:'))) options = [...options, 'ndots:0'];
  const out = [
    ...keep.filter((l) => l.trim() && !/^\s*#/.test(l)),
    ...servers.map((s) => `nameserver ${s}`),
    ...(search.length ? [`search ${search.join(' ')}`] : []),
    ...(options.length ? [`options ${options.join(' ')}`] : []),
  ];
  return out.join('\n') + '\n';
}

/** resolv.conf for --network host: the host's, with --dns, --dns-search and --dns-option applied. */
export function hostModeResolv(h: HostResolv, dns: DnsSettings): string {
  if (!dns.servers?.length && !dns.search?.length && !dns.options?.length) return h.text;
  return containerResolv({ text: h.text }, dns);
}

export const DEFAULT_HOSTS = `127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
ff00::0\tip6-mcastprefix
ff02::1\tip6-allnodes
ff02::2\tip6-allrouters
`;

/** "NAME:IP" entries of --add-host as hosts lines (host-gateway already replaced). */
export function extraHostLines(extra: string[]): string {
  return extra
    .map((e) => {
      const i = e.indexOf(':');
      return `${e.slice(i + 1)}\t${e.slice(0, i)}\n`;
    })
    .join('');
}

/** /etc/hosts of a container: docker's defaults, --add-host entries, then its own address and hostname. */
export function containerHosts(o: { ip?: string; hostname: string; domainname?: string; extra: string[] }): string {
  const own = o.ip ? `${o.ip}\t${o.domainname ? `${o.hostname}.${o.domainname} ${o.hostname}` : o.hostname}\n` : '';
  return DEFAULT_HOSTS + extraHostLines(o.extra) + own;
}
