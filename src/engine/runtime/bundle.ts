/** A container's OCI bundle: the config.json the monitor reads, built from its record and image layers. */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { containerCgroupPath } from '../cgroup/hierarchy.js';
import type { ContainerRecord } from '../container/types.js';
import { BerthError } from '../errors.js';
import { monitorPath } from '../native.js';
import type { Store } from '../store/store.js';
import { ociMounts } from '../volume/mounts.js';
import { containerPaths, shortLayerLink } from './container-fs.js';
import { readLayeredFile } from './layered-path.js';
import { buildSpec } from './spec.js';
import { resolveUser } from './user.js';

/** --network container:NAME: the other container's namespace, files and hostname. */
export interface BundleNetwork {
  netns: string;
  hostname: string;
  files: { hostname: string; hosts: string; resolvConf: string };
}

/** The spec of a container; the layer links it names are made if missing. */
export function bundleSpec(store: Store, rec: ContainerRecord, net?: BundleNetwork): ReturnType<typeof buildSpec> {
  const p = containerPaths(store.layout, rec.id);
  const layerDirs = [...rec.layers].reverse().map((c) => store.layout.layerDiff(c.slice(7)));
  for (const d of layerDirs)
    if (!existsSync(d))
      throw new BerthError('NOT_FOUND', `a layer of the container's image is missing (${d}); run berth system check`);
  const user = resolveUser(
    rec.config.User,
    readLayeredFile([p.upper, p.init, ...layerDirs], 'etc/passwd'),
    readLayeredFile([p.upper, p.init, ...layerDirs], 'etc/group'),
  );
  const rel = (abs: string) => abs.slice(store.layout.root.length + 1);
  const lowers = [rel(p.init), ...[...rec.layers].reverse().map((c) => shortLayerLink(store.layout, c))];
  return buildSpec({
    rec: net ? { ...rec, config: { ...rec.config, Hostname: net.hostname } } : rec,
    ...(net ? { netns: net.netns } : {}),
    user,
    rootfs: p.merged,
    overlay: `lowerdir=${lowers.join(':')},upperdir=${rel(p.upper)},workdir=${rel(p.work)}`,
    overlayChdir: store.layout.root,
    files: net?.files ?? { hostname: p.hostname, hosts: p.hosts, resolvConf: p.resolvConf },
    cgroupsPath: containerCgroupPath(rec.id),
    initBinary: monitorPath(),
    extraMounts: ociMounts(store, rec.mounts),
  });
}

export function writeBundle(store: Store, rec: ContainerRecord, net?: BundleNetwork): void {
  const p = containerPaths(store.layout, rec.id);
  const spec = bundleSpec(store, rec, net);
  const tmp = `${p.config}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(spec));
  renameSync(tmp, p.config);
}
