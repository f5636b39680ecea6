/**
 * Giving back what a container held on its networks: its addresses and host
 * ports in the store (with docker's network disconnect events), and what the
 * kernel still has when nothing tore it down (a killed monitor, a crashed
 * berth): the host end of its veth pairs, its published ports' map elements,
 * its DNS records. Its monitor normally tears the kernel's part down at exit.
 */
import { rmSync } from 'node:fs';
import type { Store } from '../store/store.js';
import { ifaceExists, ipBatch, nftApply, withHostLock } from './host.js';
import { NetworkDb } from './network-db.js';
import { portsDownScript } from './nft-rules.js';
import { dnsRecord, leaseHeld, netScope, vethName } from './scope.js';
import type { EndpointRow, HostPortRow } from './types.js';

export interface Released {
  endpoints: EndpointRow[];
  ports: HostPortRow[];
}

/** Release a container's rows (inside the caller's transaction), recording a disconnect event per network. */
export function releaseRows(store: Store, containerId: string, events = true): Released {
  const db = new NetworkDb(store.db);
  const endpoints = db.endpointsOf(containerId);
  const ports = db.hostPortsOf(containerId);
  if (!endpoints.length && !ports.length) return { endpoints, ports };
  db.release(containerId);
  for (const e of events ? endpoints : []) {
    const net = db.get(e.networkId);
    if (!net) continue;
    store.event({
      type: 'network',
      action: 'disconnect',
      actorId: net.id,
      attributes: { container: containerId, name: net.name, type: net.driver },
    });
  }
  return { endpoints, ports };
}

/** Remove what the kernel may still hold for released rows (best effort: most of it went with the container). */
export function cleanKernel(store: Store, r: Released): void {
  for (const e of r.endpoints) rmSync(dnsRecord(store, e.networkId, e.containerId), { force: true });
  const veths = r.endpoints.map((e) => vethName(e.containerId, e.slot)).filter(ifaceExists);
  const tryRun = (fn: () => void) => {
    try {
      withHostLock(fn);
    } catch {
      /* already gone */
    }
  };
  for (const v of veths) tryRun(() => ipBatch([`link del dev ${v}`]));
  const table = netScope(store).table;
  for (const p of r.ports)
    tryRun(() =>
      nftApply(
        portsDownScript(table, [
          { proto: p.proto, hostIp: p.hostIp, hostPort: p.port, containerPort: p.containerPort },
        ]),
      ),
    );
}

/**
 * Take back every address and port whose holder is gone, and what the kernel
 * still has for them (a killed monitor's map elements would refuse the next
 * container the same host port). Returns the containers.
 */
export function releaseStale(store: Store, only?: string): string[] {
  const db = new NetworkDb(store.db);
  const stale = db
    .holders()
    .filter((h) => (!only || h.containerId === only) && !leaseHeld(store, h.containerId, h.ownerPid, h.ownerStart));
  const out: string[] = [];
  for (const h of stale) {
    const r = store.db
      .transaction(() => {
        // re-read inside the transaction: another process may have started it again meanwhile
        const fresh = db.endpointsOf(h.containerId);
        if (fresh.some((e) => leaseHeld(store, e.containerId, e.ownerPid, e.ownerStart))) return null;
        return releaseRows(store, h.containerId);
      })
      .immediate();
    if (!r) continue;
    out.push(h.containerId);
    cleanKernel(store, r);
  }
  return out;
}
