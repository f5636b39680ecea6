/**
 * The sweep when an engine opens: what containers that no longer run left
 * on the host (a monitor killed with SIGKILL, a berth that crashed between
 * allocating and starting): their addresses, host ports, map elements, veth
 * ends and DNS records; and the bridges and table of stores that are gone
 * (a deleted root). Cheap when nothing is left: a query and a directory read.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import { SHARED } from '../shared-constants.js';
import { ifaceAlias, ifaceMaster, interfaces, ipBatch, nftApply, withHostLock } from './host.js';
import { NetworkDb } from './network-db.js';
import { dropTableScript } from './nft-rules.js';
import { releaseStale } from './release.js';
import { ALIAS_PREFIX, netScope, tableOfRoot, VETH_RE } from './scope.js';

function attempt(fn: () => void): void {
  try {
    withHostLock(fn);
  } catch {
    /* gone meanwhile, or not ours to remove */
  }
}

export function sweepNetworks(store: Store): void {
  const used = !!store.db.prepare('SELECT 1 FROM networks LIMIT 1').get();
  if (used) releaseStale(store);
  const mine = netScope(store).alias;
  const db = new NetworkDb(store.db);
  const held = new Set(db.endpoints().map((e) => `vb${e.containerId.slice(0, 12)}${e.slot}`));
  const gone = new Set<string>();
  for (const name of interfaces()) {
    if (VETH_RE.test(name)) {
      const master = ifaceMaster(name);
      if (used && master && ifaceAlias(master) === mine && !held.has(name))
        attempt(() => ipBatch([`link del dev ${name}`]));
      continue;
    }
    const alias = ifaceAlias(name);
    if (!alias.startsWith(ALIAS_PREFIX) || alias === mine) continue;
    const root = alias.slice(ALIAS_PREFIX.length);
    if (existsSync(join(root, SHARED.layout.database))) continue;
    attempt(() => ipBatch([`link del dev ${name}`]));
    gone.add(root);
  }
  for (const root of gone) attempt(() => nftApply(dropTableScript(tableOfRoot(root))));
}
