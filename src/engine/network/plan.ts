/**
 * The default bridge's part of a run plan (container/run-plan.ts): what the
 * native launcher replays so a plain `berth run` gets an address without
 * Node. The engine decides everything here; the launcher runs the
 * allocation statement in its create transaction, fills the IP and MAC
 * markers with what it returned, records the events and writes the files.
 */
import { join } from 'node:path';
import { containerPaths } from '../runtime/container-fs.js';
import { SHARED } from '../shared-constants.js';
import type { Store } from '../store/store.js';
import { ensureBridge } from './bridges.js';
import { ensurePredefined } from './create.js';
import { containerHosts } from './etc-files.js';
import { parseIp4 } from './ipv4.js';
import { linkSpec, type NetSpec } from './net-spec.js';
import { allocateSql, NetworkDb } from './network-db.js';
import { netScope, vethName } from './scope.js';
import { findNetwork } from './service.js';

export interface PlanEvent {
  type: 'network';
  action: string;
  actor: string;
  /** JSON object text, with the ID marker */
  attributes: string;
}

export interface PlanNetwork {
  /** the default network's ID: the plan holds while it is this one */
  id: string;
  /** SQL with three parameters, the container's ID, the allocating process and its start time; returns columns ip and mac */
  allocate: string;
  /** recorded right after the container's create event */
  events: PlanEvent[];
  /** recorded by a --rm run between its die and destroy events */
  removeEvents: PlanEvent[];
  /** [path relative to the container's directory, content with markers, mode], written once the address is known */
  files: [string, string, number][];
}

export const defaultNetworkId = (store: Store): string | null => new NetworkDb(store.db).byName('bridge')?.id ?? null;

/** The default bridge's part of a plan (the bridge is made if missing); null when there is none to use. */
export function planNetwork(
  store: Store,
  markId: string,
  hostname: string,
): {
  plan: Omit<PlanNetwork, 'files'>;
  files: [string, string, number][];
  hostFiles: [string, string][];
  file: string;
} {
  const m = SHARED.plan.markers;
  ensurePredefined(store);
  const net = ensureBridge(store, findNetwork(store, 'bridge'));
  const p = containerPaths(store.layout, markId);
  const spec: NetSpec = {
    links: [
      linkSpec({
        net,
        slot: 0,
        ip: m.ip,
        mac: m.mac,
        hostEnd: vethName(markId, 0),
        defaultRoute: !net.internal,
        v6: null,
      }),
    ],
    ports: [],
    up: [],
    down: [],
    unlink: [],
  };
  const file = join(p.dir, 'network.json');
  const event = (action: string): PlanEvent => ({
    type: 'network',
    action,
    actor: net.id,
    attributes: JSON.stringify({ container: markId, name: net.name, type: net.driver }),
  });
  return {
    plan: {
      id: net.id,
      allocate: allocateSql(net, 0, parseIp4(net.gateway)),
      events: [event('connect')],
      removeEvents: [event('disconnect')],
    },
    files: [
      [p.hosts, containerHosts({ ip: m.ip, hostname, extra: [] }), 0o644],
      [file, JSON.stringify(spec), 0o644],
    ],
    // the bridge is still this store's
    hostFiles: [[`/sys/class/net/${net.iface}/ifalias`, `${netScope(store).alias}\n`]],
    file,
  };
}
