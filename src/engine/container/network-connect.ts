/**
 * `network connect` and `network disconnect`: a container's attachments
 * change in its record; a running one gets (or loses) the interface at once,
 * through its monitor's binary (`berth-monitor net-up`/`net-down` on the
 * container's network namespace), and its network.json changes so a restart
 * by the restart policy sets the same interfaces up again.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BerthError, conflict, invalidArg, notFound } from '../errors.js';
import { monitorPath } from '../native.js';
import { allocate } from '../network/allocate.js';
import { attachment, checkRequestedIp } from '../network/attachments.js';
import { ensureBridge } from '../network/bridges.js';
import { attachmentsOf, isContainerMode } from '../network/container-options.js';
import { ifaceExists } from '../network/host.js';
import { linkSpec, type NetSpec } from '../network/net-spec.js';
import { NetworkDb } from '../network/network-db.js';
import { dnsRecord, vethName } from '../network/scope.js';
import { findNetwork, subnet6Of } from '../network/service.js';
import { startResponder, writeAtomic, writeDnsRecord } from '../network/start.js';
import { containerPaths } from '../runtime/container-fs.js';
import { immediate } from '../store/db.js';
import type { Store } from '../store/store.js';
import { containerDb, findContainer, isRunning, stateOf } from './records.js';
import type { ContainerRecord } from './types.js';

const run = promisify(execFile);

function networkFile(store: Store, id: string): string {
  return join(containerPaths(store.layout, id).dir, 'network.json');
}

function readSpec(file: string): NetSpec {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as NetSpec;
  } catch {
    return { links: [], ports: [], up: [], down: [], unlink: [] };
  }
}

async function monitorNet(verb: 'net-up' | 'net-down', pid: number, file: string, link: string): Promise<void> {
  try {
    await run(monitorPath(), [verb, '--pid', String(pid), '--network', file, '--link', link]);
  } catch (e) {
    const msg =
      String((e as { stderr?: string }).stderr ?? '')
        .trim()
        .split('\n')
        .pop() ?? '';
    throw new BerthError('RUNTIME', msg.replace(/^berth-monitor: /, '') || (e as Error).message, { cause: e });
  }
}

function refuseModes(rec: ContainerRecord, what: 'connected' | 'disconnected'): void {
  const mode = rec.hostConfig.NetworkMode;
  if (mode === 'host')
    throw invalidArg('container cannot be disconnected from host network or connected to host network');
  if (isContainerMode(mode))
    throw invalidArg(
      `container sharing network namespace with another container or host cannot be ${what} to any other network`,
    );
}

export async function connectNetwork(
  store: Store,
  netRef: string,
  ref: string,
  o: { aliases?: string[]; ip?: string } = {},
): Promise<void> {
  let net = findNetwork(store, netRef);
  const rec = findContainer(store, ref);
  refuseModes(rec, 'connected');
  if (net.driver === 'host')
    throw invalidArg('container cannot be disconnected from host network or connected to host network');
  const atts = attachmentsOf(rec);
  if (net.driver === 'null' || atts.none)
    throw invalidArg(
      'container cannot be connected to multiple networks with one of the networks in private (none) mode',
    );
  if (atts[net.name]) throw conflict(`endpoint with name ${rec.name} already exists in network ${net.name}`);
  if (o.aliases?.length && net.name === 'bridge')
    throw invalidArg('network-scoped alias is supported only for containers in user defined networks');
  checkRequestedIp(net, o.ip ?? '');
  const att = attachment({ ...(o.aliases ? { aliases: o.aliases } : {}), ...(o.ip ? { ip: o.ip } : {}) });
  const st = stateOf(store, rec);
  const next = { ...atts, [net.name]: att };
  if (!isRunning(st) || !st.pid) {
    containerDb(store).setNetworks(rec.id, next);
    return;
  }
  if (net.driver === 'bridge') net = ensureBridge(store, net);
  else if (!ifaceExists(net.iface)) throw invalidArg(`-o parent interface was not found on the host: ${net.iface}`);
  const file = networkFile(store, rec.id);
  const spec = readSpec(file);
  const used = new Set(new NetworkDb(store.db).endpointsOf(rec.id).map((e) => e.slot));
  let slot = 0;
  while (used.has(slot) || spec.links.some((l) => l.name === `eth${slot}`)) slot++;
  const alloc = allocate(store, rec.id, [{ net, slot, att }], {}, null, false);
  const ep = alloc.endpoints[0]!;
  const v6 = net.ipv6 ? subnet6Of(net) : null;
  const link = linkSpec({
    net,
    slot,
    ip: ep.ip,
    mac: ep.mac,
    hostEnd: vethName(rec.id, slot),
    defaultRoute: !spec.links.some((l) => l.routes.some((r) => r.dst === '0.0.0.0/0')) && !net.internal,
    v6: v6 ? { ...v6, addr: ep.addr } : null,
  });
  spec.links.push(link);
  if (net.driver === 'bridge' && net.name !== 'bridge')
    spec.unlink.push(writeDnsRecord(store, net, rec, att.Aliases ?? [], link));
  try {
    writeAtomic(file, JSON.stringify(spec));
    await monitorNet('net-up', st.pid, file, link.name);
  } catch (e) {
    immediate(store.db, () => new NetworkDb(store.db).deleteEndpoint(net.id, rec.id));
    rmSync(dnsRecord(store, net.id, rec.id), { force: true });
    throw e;
  }
  containerDb(store).setNetworks(rec.id, next);
  // the endpoint is the monitor's, as the container's others are
  const others = new NetworkDb(store.db).endpointsOf(rec.id).find((e) => e.networkId !== net.id);
  if (others) new NetworkDb(store.db).setOwner(rec.id, others.ownerPid, others.ownerStart);
  if (net.driver === 'bridge' && net.name !== 'bridge') startResponder(store, net);
}

export async function disconnectNetwork(store: Store, netRef: string, ref: string, force = false): Promise<void> {
  const rec = findContainer(store, ref);
  let net;
  try {
    net = findNetwork(store, netRef);
  } catch (e) {
    // -f: a network removed since still leaves the container
    if (!force || !(netRef in (rec.networks ?? {}))) throw e;
    const { [netRef]: _gone, ...rest } = rec.networks;
    void _gone;
    containerDb(store).setNetworks(rec.id, rest);
    return;
  }
  refuseModes(rec, 'disconnected');
  if (net.driver === 'host')
    throw invalidArg('container cannot be disconnected from host network or connected to host network');
  const atts = attachmentsOf(rec);
  if (!atts[net.name]) throw notFound(`container ${rec.id} is not connected to network ${net.name}`);
  const { [net.name]: _gone, ...rest } = atts;
  void _gone;
  const st = stateOf(store, rec);
  const db = new NetworkDb(store.db);
  const ep = db.endpointsOf(rec.id).find((e) => e.networkId === net.id);
  if (isRunning(st) && st.pid && ep) {
    const file = networkFile(store, rec.id);
    const spec = readSpec(file);
    const link = spec.links.find((l) => l.name === `eth${ep.slot}`);
    if (link) {
      await monitorNet('net-down', st.pid, file, link.name).catch((e) => {
        if (!force) throw e;
      });
      spec.links = spec.links.filter((l) => l !== link);
    }
    const record = dnsRecord(store, net.id, rec.id);
    spec.unlink = spec.unlink.filter((u) => u !== record);
    writeAtomic(file, JSON.stringify(spec));
    rmSync(record, { force: true });
    immediate(store.db, () => {
      db.deleteEndpoint(net.id, rec.id);
      store.event({
        type: 'network',
        action: 'disconnect',
        actorId: net.id,
        attributes: { container: rec.id, name: net.name, type: net.driver },
      });
    });
  }
  containerDb(store).setNetworks(rec.id, rest);
}
