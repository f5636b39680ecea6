/**
 * A build's RUN step on the default bridge, as BuildKit's default network
 * reaches out: an address allocated for the step's ID (no container row: the
 * step is no container), network.json for its monitor, the lease handed to
 * the monitor once it runs, and everything given back when the step ends
 * (rows, the veth's host end if the monitor left it). A build that dies
 * leaves a lease on a dead process: the sweep takes it back like a killed
 * container's. No network events: docker records none for a build.
 */
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import { allocate } from './allocate.js';
import { ensureBridge } from './bridges.js';
import { ensurePredefined } from './create.js';
import { linkSpec, type NetSpec } from './net-spec.js';
import { NetworkDb } from './network-db.js';
import { cleanKernel, releaseRows } from './release.js';
import { vethName } from './scope.js';
import { writeAtomic } from './start.js';
import { findNetwork } from './service.js';

export interface StepNetwork {
  /** network.json for the step's monitor */
  file: string;
  /** the step's address on the default bridge */
  ip: string;
  handOver(monitorPid: number, monitorStart: number): void;
  /** Give the address back and remove what the kernel still has (idempotent). */
  release(): void;
}

/** Modes that put a RUN step on the default bridge (BuildKit's default network). */
export const onDefaultBridge = (mode: string): boolean => mode === 'default' || mode === 'bridge';

export function prepareStepNetwork(store: Store, stepId: string, dir: string): StepNetwork {
  ensurePredefined(store);
  const net = ensureBridge(store, findNetwork(store, 'bridge'));
  const alloc = allocate(
    store,
    stepId,
    [{ net, slot: 0, att: { Aliases: null, IPAMConfig: null } }],
    {},
    null,
    true,
    false,
  );
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const r = store.db.transaction(() => releaseRows(store, stepId, false)).immediate();
    cleanKernel(store, r);
  };
  try {
    const ep = alloc.endpoints[0]!;
    const spec: NetSpec = {
      links: [
        linkSpec({
          net,
          slot: 0,
          ip: ep.ip,
          mac: ep.mac,
          hostEnd: vethName(stepId, 0),
          defaultRoute: !net.internal,
          v6: null,
        }),
      ],
      ports: [],
      up: [],
      down: [],
      unlink: [],
    };
    const file = join(dir, 'network.json');
    writeAtomic(file, JSON.stringify(spec));
    return {
      file,
      ip: ep.ip,
      handOver: (pid, start) => new NetworkDb(store.db).setOwner(stepId, pid, start),
      release,
    };
  } catch (e) {
    release();
    throw e;
  }
}
