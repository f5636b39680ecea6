/**
 * A container's networks as docker shows them: inspect's NetworkSettings
 * (top-level fields from the default bridge, Networks per attachment,
 * Ports), and the summary's Ports and NetworkSettings.Networks (ps). An
 * address shows while the container runs; its attachments always.
 */
import { formatIp4, parseSubnet4 } from '../network/ipv4.js';
import { ip6For } from '../network/ipv6.js';
import { NetworkDb } from '../network/network-db.js';
import { emptyEndpoint, type EndpointSettings } from '../network/shapes.js';
import { subnet6Of } from '../network/service.js';
import { attachmentsOf } from '../network/container-options.js';
import type { Store } from '../store/store.js';
import type { ContainerSummary } from '../types.js';
import type { NetworkRecord } from '../network/types.js';
import { isRunning } from './records.js';
import type { CurrentState } from './state.js';
import type { ContainerRecord } from './types.js';

type PortsView = Record<string, { HostIp: string; HostPort: string }[] | null>;

interface View {
  networks: Record<string, EndpointSettings>;
  ports: PortsView;
  summaryPorts: ContainerSummary['Ports'];
}

/** Networks by name, looked up once for many containers (a list of 300 names a few networks). */
export function networkLookup(db: NetworkDb): (name: string) => NetworkRecord | null {
  const seen = new Map<string, NetworkRecord | null>();
  return (name) => {
    let n = seen.get(name);
    if (n === undefined) seen.set(name, (n = db.byName(name)));
    return n;
  };
}

export function networkView(
  store: Store,
  rec: ContainerRecord,
  st: CurrentState,
  lookup?: (name: string) => NetworkRecord | null,
): View {
  const db = new NetworkDb(store.db);
  const live = isRunning(st);
  const eps = live ? db.endpointsOf(rec.id) : [];
  const networks: Record<string, EndpointSettings> = {};
  const byName = lookup ?? ((name: string) => db.byName(name));
  for (const [name, att] of Object.entries(attachmentsOf(rec))) {
    const n = byName(name);
    const ep = n ? eps.find((e) => e.networkId === n.id) : undefined;
    const view = emptyEndpoint();
    const user = n && n.driver !== 'host' && n.driver !== 'null' && n.name !== 'bridge';
    view.IPAMConfig = att.IPAMConfig;
    view.Links = att.Links ?? null;
    view.Aliases = user ? [...(att.Aliases ?? []), rec.id.slice(0, 12)] : att.Aliases;
    view.NetworkID = n?.id ?? '';
    if (n && ep) {
      const sub = parseSubnet4(n.subnet)!;
      Object.assign(view, {
        EndpointID: ep.id,
        Gateway: n.gateway,
        IPAddress: formatIp4(ep.addr),
        IPPrefixLen: sub.prefix,
        MacAddress: ep.mac,
      });
      const v6 = n.ipv6 ? subnet6Of(n) : null;
      if (v6)
        Object.assign(view, {
          IPv6Gateway: v6.gateway,
          GlobalIPv6Address: ip6For(v6.sub, ep.addr, sub.base),
          GlobalIPv6PrefixLen: v6.sub.prefix,
        });
    }
    networks[name] = view;
  }
  const ports: PortsView = {};
  const summaryPorts: View['summaryPorts'] = [];
  // dockerd lists no ports for a container without a network of its own (host, none)
  if (live && rec.hostConfig.NetworkMode !== 'host' && rec.hostConfig.NetworkMode !== 'none') {
    const rows = db.hostPortsOf(rec.id);
    for (const p of Object.keys(rec.config.ExposedPorts ?? {})) ports[p] = null;
    for (const r of rows) {
      const key = `${r.containerPort}/${r.proto}`;
      (ports[key] ??= []).push({ HostIp: r.hostIp || '0.0.0.0', HostPort: String(r.port) });
      summaryPorts.push({ IP: r.hostIp || '0.0.0.0', PrivatePort: r.containerPort, PublicPort: r.port, Type: r.proto });
    }
    for (const [key, v] of Object.entries(ports))
      if (v === null) summaryPorts.push({ PrivatePort: Number(key.split('/')[0]), Type: key.split('/')[1] ?? 'tcp' });
  }
  return { networks, ports, summaryPorts };
}

/** inspect's NetworkSettings. */
export function networkSettings(view: View, sandboxKey: string): Record<string, unknown> {
  const bridge = view.networks.bridge;
  return {
    Bridge: '',
    SandboxID: '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: view.ports,
    SandboxKey: sandboxKey,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: bridge?.EndpointID ?? '',
    Gateway: bridge?.Gateway ?? '',
    GlobalIPv6Address: bridge?.GlobalIPv6Address ?? '',
    GlobalIPv6PrefixLen: bridge?.GlobalIPv6PrefixLen ?? 0,
    IPAddress: bridge?.IPAddress ?? '',
    IPPrefixLen: bridge?.IPPrefixLen ?? 0,
    IPv6Gateway: bridge?.IPv6Gateway ?? '',
    MacAddress: bridge?.MacAddress ?? '',
    Networks: view.networks,
  };
}
