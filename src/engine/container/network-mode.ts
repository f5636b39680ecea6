/**
 * --network container:NAME: the container joins another one's network
 * namespace and shares its /etc/hosts, /etc/resolv.conf and hostname, as
 * docker does. The other container must be running.
 */
import { wrongState } from '../errors.js';
import { isContainerMode } from '../network/container-options.js';
import type { BundleNetwork } from '../runtime/bundle.js';
import { containerPaths } from '../runtime/container-fs.js';
import type { Store } from '../store/store.js';
import { findContainer, isRunning, stateOf } from './records.js';
import type { ContainerRecord } from './types.js';

export function containerNetworkMode(store: Store, rec: ContainerRecord): BundleNetwork | undefined {
  const mode = rec.hostConfig.NetworkMode;
  if (!isContainerMode(mode)) return undefined;
  const other = findContainer(store, mode.slice('container:'.length));
  const st = stateOf(store, other);
  if (!isRunning(st) || !st.pid) throw wrongState(`cannot join network of a non running container: ${other.id}`);
  const p = containerPaths(store.layout, other.id);
  return {
    netns: `/proc/${st.pid}/ns/net`,
    hostname: other.config.Hostname,
    files: { hostname: p.hostname, hosts: p.hosts, resolvConf: p.resolvConf },
  };
}
