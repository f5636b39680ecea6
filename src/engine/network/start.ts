/**
 * A container's networking at start, decided here and carried out by its
 * monitor: the networks it is on (bridges made if missing), an address on
 * each and its published host ports (allocate.ts), /etc/hosts and
 * /etc/resolv.conf, DNS records and responders on user-defined networks,
 * and network.json with everything the monitor does (net-spec.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { invalidArg } from '../errors.js';
import { dnsResponderPath } from '../native.js';
import type { ContainerRecord } from '../container/types.js';
import { containerPaths } from '../runtime/container-fs.js';
import type { Store } from '../store/store.js';
import { allocate, type Wanted } from './allocate.js';
import { ensureBridge } from './bridges.js';
import { attachmentsOf, isContainerMode } from './container-options.js';
import { ensurePredefined } from './create.js';
import { containerHosts, containerResolv, hostModeResolv, readHostResolv } from './etc-files.js';
import { ifaceExists, systemBinary } from './host.js';
import { linkSpec, type LinkSpec, type NetSpec } from './net-spec.js';
import { NetworkDb } from './network-db.js';
import { portsDownScript, portsUpScript } from './nft-rules.js';
import { publishAll, type PortMap } from './ports.js';
import { releaseRows } from './release.js';
import { dnsDir, dnsPidFile, dnsRecord, netScope, processIs, vethName } from './scope.js';
import { findNetwork, subnet6Of } from './service.js';
import type { Attachment, NetworkRecord } from './types.js';
import { parseLink } from './attachments.js';
import { formatIp4 } from './ipv4.js';
import { ContainerDb } from '../container/container-db.js';

export interface StartNetworking {
  /** network.json for the monitor (--network); null when it sets nothing up (host, none, container:) */
  file: string | null;
  /** The monitor runs the container: it holds the addresses and ports from now on. */
  handOver(monitorPid: number, monitorStart: number): void;
  /** The start failed before the monitor took over: give everything back. */
  abandon(): void;
}

const NOTHING: StartNetworking = { file: null, handOver: () => undefined, abandon: () => undefined };

export function writeAtomic(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

/** --add-host entries with host-gateway replaced by the default bridge's gateway (docker0's address in docker). */
function extraHosts(store: Store, rec: ContainerRecord): string[] {
  const list = rec.hostConfig.ExtraHosts as string[] | null;
  if (!list?.length) return [];
  const gw = list.some((e) => e.endsWith(':host-gateway')) ? findNetwork(store, 'bridge').gateway : '';
  return list.map((e) => (e.endsWith(':host-gateway') ? `${e.slice(0, e.lastIndexOf(':'))}:${gw}` : e));
}

/**
 * The /etc/hosts entries of a container's links on its user-defined networks: each linked
 * container's alias and name to its address on the network they share (a link to a container
 * that is not there, or not running, resolves to nothing, as on dockerd).
 */
function linkHosts(store: Store, wanted: readonly { net: NetworkRecord; att: Attachment }[]): string[] {
  const out: string[] = [];
  const containers = new ContainerDb(store.db);
  const endpoints = new NetworkDb(store.db);
  for (const { net, att } of wanted) {
    for (const l of att.Links ?? []) {
      const { name, alias } = parseLink(l);
      const target = containers.byName(name) ?? (/^[a-f0-9]{64}$/.test(name) ? containers.get(name) : null);
      const ep = target ? endpoints.endpointsOf(target.id).find((e) => e.networkId === net.id) : undefined;
      if (!ep) continue;
      const ip = formatIp4(ep.addr);
      out.push(`${alias}:${ip}`);
      if (alias !== target!.name) out.push(`${target!.name}:${ip}`);
    }
  }
  return out;
}

/** Start a network's DNS responder unless it runs (it exits by itself when the network's last record goes). */
export function startResponder(store: Store, net: NetworkRecord): void {
  const bin = dnsResponderPath();
  if (!bin) return;
  const pidFile = dnsPidFile(store, net.id);
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid && processIs(pid, procStart(pid)) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('berth-dns'))
      return;
  } catch {
    /* not running */
  }
  // an internal network's responder forwards nothing: it would be a way out of the network (docker, CVE-2024-29018)
  const args = ['--records', dnsDir(store, net.id), '--listen', net.gateway, '--pidfile', pidFile];
  execFileSync(bin, net.internal ? [...args, '--no-forward'] : args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

const procStart = (pid: number) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return 0;
  }
};

/** A container's names and addresses on a user-defined network, for its DNS responder (native/dns, berth-dns). */
export function writeDnsRecord(
  store: Store,
  net: NetworkRecord,
  rec: ContainerRecord,
  aliases: string[],
  link: LinkSpec,
): string {
  const file = dnsRecord(store, net.id, rec.id);
  const addrs = link.addresses.map((a) => a.split('/')[0]!);
  writeAtomic(
    file,
    JSON.stringify({
      names: [rec.name, ...aliases, rec.id.slice(0, 12)],
      ipv4: addrs.filter((a) => !a.includes(':')),
      ipv6: addrs.filter((a) => a.includes(':')),
    }),
  );
  return file;
}

export function prepareNetworking(store: Store, rec: ContainerRecord): StartNetworking {
  const p = containerPaths(store.layout, rec.id);
  const hc = rec.hostConfig;
  const mode = hc.NetworkMode;
  const dns = { servers: hc.Dns as string[], search: hc.DnsSearch as string[], options: hc.DnsOptions as string[] };
  if (isContainerMode(mode)) return NOTHING; // the other container's files and namespace
  const hostResolv = readHostResolv();
  const extra = extraHosts(store, rec);
  if (mode === 'host') {
    const hosts = existsSync('/etc/hosts') ? readFileSync('/etc/hosts', 'utf8') : '';
    writeAtomic(
      p.hosts,
      hosts + extra.map((e) => `${e.slice(e.indexOf(':') + 1)}\t${e.slice(0, e.indexOf(':'))}\n`).join(''),
    );
    writeAtomic(p.resolvConf, hostModeResolv(hostResolv, dns));
    return NOTHING;
  }
  ensurePredefined(store);
  const atts = attachmentsOf(rec);
  const wanted: Wanted[] = [];
  for (const [name, att] of Object.entries(atts)) {
    let net = findNetwork(store, name);
    if (net.driver === 'host' || net.driver === 'null') continue;
    if (net.driver === 'bridge') net = ensureBridge(store, net);
    else if (!ifaceExists(net.iface)) throw invalidArg(`-o parent interface was not found on the host: ${net.iface}`);
    wanted.push({ net, slot: wanted.length, att });
  }
  const hostname = rec.config.Hostname;
  if (!wanted.length) {
    writeAtomic(p.hosts, containerHosts({ hostname, domainname: rec.config.Domainname, extra }));
    writeAtomic(p.resolvConf, containerResolv(hostResolv, dns));
    return NOTHING;
  }
  let bindings = (hc.PortBindings ?? {}) as PortMap;
  if (hc.PublishAllPorts) bindings = publishAll(Object.keys(rec.config.ExposedPorts ?? {}), bindings);
  const publishTo = wanted.find((w) => w.net.driver === 'bridge' && !w.net.internal)?.net ?? null;
  const alloc = allocate(store, rec.id, wanted, bindings, publishTo);
  const records: string[] = [];
  const abandon = () => {
    store.db.transaction(() => releaseRows(store, rec.id)).immediate();
    for (const r of records) rmSync(r, { force: true });
  };
  try {
    const first = alloc.endpoints[0]!;
    const withLinks = [...extra, ...linkHosts(store, wanted)];
    writeAtomic(
      p.hosts,
      containerHosts({ ip: first.ip, hostname, domainname: rec.config.Domainname, extra: withLinks }),
    );
    const userBridges = wanted.filter((w) => w.net.driver === 'bridge' && w.net.name !== 'bridge');
    const responder = userBridges[0]?.net.gateway;
    writeAtomic(p.resolvConf, containerResolv(hostResolv, dns, responder));
    const defaultVia = wanted.find((w) => !w.net.internal)?.slot ?? -1;
    const spec: NetSpec = { links: [], ports: [], up: [], down: [], unlink: [] };
    for (const w of wanted) {
      const ep = alloc.endpoints.find((e) => e.networkId === w.net.id)!;
      const v6 = w.net.ipv6 ? subnet6Of(w.net) : null;
      spec.links.push(
        linkSpec({
          net: w.net,
          slot: w.slot,
          ip: ep.ip,
          mac: ep.mac,
          hostEnd: vethName(rec.id, w.slot),
          defaultRoute: w.slot === defaultVia,
          v6: v6 ? { ...v6, addr: ep.addr } : null,
        }),
      );
      if (w.net.driver === 'bridge' && w.net.name !== 'bridge') {
        const file = writeDnsRecord(store, w.net, rec, w.att.Aliases ?? [], spec.links[spec.links.length - 1]!);
        records.push(file);
        spec.unlink.push(file);
      }
    }
    if (alloc.ports.length && publishTo) {
      const target = alloc.endpoints.find((e) => e.networkId === publishTo.id)!;
      const table = netScope(store).table;
      const nft = systemBinary('nft');
      writeAtomic(join(p.dir, 'ports-up.nft'), portsUpScript(table, target.ip, alloc.ports));
      writeAtomic(join(p.dir, 'ports-down.nft'), portsDownScript(table, alloc.ports));
      spec.ports = alloc.ports.map((x) => ({ proto: x.proto, hostIp: x.hostIp, hostPort: x.hostPort }));
      spec.up.push([nft, '-f', join(p.dir, 'ports-up.nft')]);
      spec.down.push([nft, '-f', join(p.dir, 'ports-down.nft')]);
    }
    const file = join(p.dir, 'network.json');
    writeAtomic(file, JSON.stringify(spec));
    for (const w of userBridges) startResponder(store, w.net);
    return {
      file,
      handOver: (pid, start) => new NetworkDb(store.db).setOwner(rec.id, pid, start),
      abandon,
    };
  } catch (e) {
    abandon();
    throw e;
  }
}
