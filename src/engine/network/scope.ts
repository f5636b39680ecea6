/**
 * What names a store's networks on the host: its nftables table, the alias
 * its interfaces carry, the host ends of containers' veth pairs, and where
 * DNS records live; and who holds an address (a lease on a live process).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { procStartTime, readMonitorState } from '../runtime/monitor.js';
import { pidAlive } from '../store/scratch.js';
import type { Store } from '../store/store.js';
import { SHARED } from '../shared-constants.js';
import { tableName } from './nft-rules.js';

export interface NetScope {
  root: string;
  /** nftables table (inet family) */
  table: string;
  /** the alias of every interface this store makes */
  alias: string;
}

export const ALIAS_PREFIX = 'berth:';

export function netScope(store: Store): NetScope {
  const root = store.layout.root;
  const hash = root === SHARED.layout.defaultRoot ? null : createHash('sha256').update(root).digest('hex').slice(0, 8);
  return { root, table: tableName(hash), alias: `${ALIAS_PREFIX}${root}` };
}

/** The table of the store at root (for the sweep of stores that are gone). */
export const tableOfRoot = (root: string): string =>
  tableName(root === SHARED.layout.defaultRoot ? null : createHash('sha256').update(root).digest('hex').slice(0, 8));

/** The host end of a container's veth pair on its slot-th network: 15 characters, the longest a name may be. */
export const vethName = (containerId: string, slot: number): string => `vb${containerId.slice(0, 12)}${slot}`;
export const VETH_RE = /^vb[0-9a-f]{12}\d$/;

/** Where a network's DNS records live (read by its responder, berth-dns). */
export const dnsDir = (store: Store, networkId: string): string =>
  join(store.layout.runroot, 'dns', networkId.slice(0, 16));
export const dnsRecord = (store: Store, networkId: string, containerId: string): string =>
  join(dnsDir(store, networkId), `${containerId}.json`);
export const dnsPidFile = (store: Store, networkId: string): string =>
  join(store.layout.runroot, 'dns', `${networkId.slice(0, 16)}.pid`);

/** The process is alive and is the one that had this start time. */
export function processIs(pid: number, start: number): boolean {
  return pidAlive(pid) && procStartTime(pid) === start;
}

/**
 * Does anything still hold a container's addresses and ports? The process
 * that allocated them (starting the container; the engine hands them to the
 * monitor once it runs), or the container's monitor. When neither lives,
 * they are free for anyone to take back.
 */
export function leaseHeld(store: Store, containerId: string, ownerPid: number, ownerStart: number): boolean {
  if (ownerPid && processIs(ownerPid, ownerStart)) return true;
  return !!readMonitorState(store.layout.containerRun(containerId))?.monitorAlive;
}
