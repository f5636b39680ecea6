/**
 * Run plans: everything `berth run [--rm] [-d] [--name N] IMAGE [CMD...]`
 * writes for one image, computed here by the engine's own code and stored as
 * <root>/plans/<image hex>.json for the native launcher (native/launcher/),
 * which then runs such a container without starting Node. What differs
 * between two containers of the image is left as markers the launcher
 * replaces: the ID (and its 16- and 12-character prefixes, which name the
 * runtime directory and the hostname), the name, the creation and start
 * times, the image as typed and the command. A plan is only written when the
 * result is the same for every container of the image but for those markers
 * (no image volumes, the default log driver and restart policy).
 *
 * On the default bridge the plan also carries the address allocation (an SQL
 * statement the launcher runs in the transaction that writes the record; its
 * result fills the IP and MAC markers), the network events, and the files
 * that name the address (/etc/hosts, network.json for the monitor); and the
 * bridge's alias among the host files it holds only while they are unchanged.
 */
import { availableParallelism } from 'node:os';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { imageConfig } from '../image/config.js';
import { launcherStat, packageRoot } from '../native.js';
import { SHARED } from '../shared-constants.js';
import { bundleSpec } from '../runtime/bundle.js';
import { containerPaths, containerSkeleton } from '../runtime/container-fs.js';
import { defaultNetworkId, planNetwork, type PlanNetwork } from '../network/plan.js';
import { createArgs } from '../runtime/monitor.js';
import type { Store } from '../store/store.js';
import type { ContainerCreateRequest } from '../types.js';
import { parseMountRequests } from '../volume/mounts.js';
import { ADJECTIVES, SURNAMES } from './names.js';
import { buildContainerConfig, restartArg } from './options.js';
import { initialState, runningState, type ContainerRecord } from './types.js';

/** The launcher reads only plans of this version (native/constants.json, as the launcher's PLAN_VERSION). */
export const PLAN_VERSION = SHARED.plan.version;

const { markers } = SHARED.plan;
/** A 64-character stand-in for the ID whose 12- and 16-character prefixes are markers too. */
export const MARK_ID = markers.id64;
export const MARK = {
  name: markers.name,
  image: markers.image,
  created: markers.created,
  started: markers.started,
  cmd: markers.cmd,
  ip: markers.ip,
  mac: markers.mac,
} as const;

/**
 * What a plan written by this build is stamped with ("" when the build wrote
 * no stamp): the hash that the build computed of the code that computes plans
 * (the command line's bundle, which `berth run` runs) and of
 * native/constants.json (the store schema, the markers), written by
 * cli/bundle.ts; then the launcher's size and mtime. The launcher computes the
 * same (native/launcher/plan.c plan_stamp) and hands a plan with another stamp
 * to Node, which writes it again.
 */
export function planStamp(): string {
  let hash: string;
  try {
    hash = readFileSync(join(packageRoot(), SHARED.plan.stampFile), 'utf8').trim();
  } catch {
    return '';
  }
  const launcher = launcherStat();
  return /^[0-9a-f]{64}$/.test(hash) && launcher ? `${hash}:${launcher}` : '';
}

/** The four shapes of the command line a plan covers, as the CLI builds their requests (image: MARK.image, cmd: [MARK.cmd]). */
export type PlanVariants = Record<'' | 'rm' | 'detach' | 'rm,detach', ContainerCreateRequest>;

export const planPath = (store: Store, imageId: string) =>
  join(store.layout.root, SHARED.layout.plans, `${imageId.replace(/^sha256:/, '')}.json`);

export function removeRunPlan(store: Store, imageId: string): void {
  rmSync(planPath(store, imageId), { force: true });
}

/** The host files a plan's copies came from still hold what they held (the launcher checks the same). */
function hostFilesSame(files: [string, string][] | undefined): boolean {
  return (
    !!files &&
    files.every(([path, content]) => {
      try {
        return readFileSync(path, 'utf8') === content;
      } catch {
        return content === '';
      }
    })
  );
}

/**
 * Is the stored plan for this image good for this build, runroot, node,
 * host files and default network? (The launcher checks the same and hands
 * such runs to Node, which then writes the plan again.)
 */
export function runPlanCurrent(
  store: Store,
  imageId: string,
  exitCommand: ((id: string) => string[]) | undefined,
): boolean {
  let plan: {
    version?: number;
    stamp?: string;
    runroot?: string;
    exitCommand?: string[];
    hostFiles?: [string, string][];
    network?: PlanNetwork | null;
  };
  try {
    plan = JSON.parse(readFileSync(planPath(store, imageId), 'utf8'));
  } catch {
    return false;
  }
  return (
    plan.version === PLAN_VERSION &&
    plan.stamp === planStamp() &&
    plan.runroot === store.layout.runroot &&
    JSON.stringify(plan.exitCommand) === JSON.stringify(exitCommand?.(MARK_ID)) &&
    hostFilesSame(plan.hostFiles) &&
    (!plan.network || defaultNetworkId(store) === plan.network.id)
  );
}

/** Build and store the plan for an image; false (and nothing written) when the image's runs need Node. */
export function writeRunPlan(
  store: Store,
  imageId: string,
  variants: PlanVariants,
  exitCommand: ((id: string) => string[]) | undefined,
): boolean {
  const image = imageConfig(store, imageId);
  const raw = JSON.stringify(image);
  const stamp = planStamp();
  if (raw.includes(SHARED.plan.markerPrefix) || !exitCommand || !stamp) return false;
  const layers = store.images.layersOf(imageId).map((l) => l.chainId);
  const p = containerPaths(store.layout, MARK_ID);
  const built: Record<string, { config: string; hostConfig: string; networks: string }> = {};
  let spec = '';
  let hostname = '';
  let network = '';
  for (const [key, req] of Object.entries(variants)) {
    // an image with VOLUMEs never takes the fast path (its volumes are made and filled by Node)
    if (Object.keys(image.config?.Volumes ?? {}).length || parseMountRequests(req, []).length) return false;
    const b = buildContainerConfig(req, image, MARK_ID, { cpus: availableParallelism() });
    if (b.hostConfig.LogConfig.Type !== 'json-file' || Object.keys(b.hostConfig.LogConfig.Config).length) return false;
    if (restartArg(b.hostConfig.RestartPolicy) !== 'no' || b.hostConfig.NetworkMode === 'host') return false;
    const mode = b.hostConfig.NetworkMode;
    const networks = { [mode === 'none' ? 'none' : 'bridge']: { Aliases: null, IPAMConfig: null } };
    const rec: ContainerRecord = {
      id: MARK_ID,
      name: MARK.name,
      imageId,
      imageName: MARK.image,
      created: MARK.created,
      path: b.path,
      args: b.args,
      config: b.config,
      hostConfig: b.hostConfig,
      layers,
      mounts: [],
      networks,
      state: initialState(),
    };
    const s = JSON.stringify(bundleSpec(store, rec));
    if (spec && s !== spec) return false;
    spec = s;
    hostname = b.config.Hostname;
    network = b.hostConfig.NetworkMode;
    built[key] = {
      config: JSON.stringify(b.config),
      hostConfig: JSON.stringify(b.hostConfig),
      networks: JSON.stringify(networks),
    };
  }
  const skeleton = containerSkeleton(p, { hostname, network });
  // the default bridge: its address comes from the launcher's transaction
  const net = network === 'none' ? null : planNetwork(store, MARK_ID, hostname);
  // relative to the container's directory ('' is the directory itself)
  const rel = (abs: string) => abs.slice(p.dir.length + 1);
  const plan = {
    version: PLAN_VERSION,
    stamp,
    imageId,
    root: store.layout.root,
    runroot: store.layout.runroot,
    layers,
    layerDirs: layers.map((c) => store.layout.layerDiff(c.slice(7))),
    entrypoint: image.config?.Entrypoint ?? null,
    cmd: image.config?.Cmd ?? null,
    variants: built,
    state: JSON.stringify(initialState()),
    running: JSON.stringify(runningState(initialState(), MARK.started)),
    spec,
    dirs: skeleton.dirs.map(([d, mode]) => [rel(d), mode]),
    files: skeleton.files.map(([f, content, mode]) => [rel(f), content, mode]),
    hostFiles: [...skeleton.hostFiles, ...(net?.hostFiles ?? [])],
    network: net ? { ...net.plan, files: net.files.map(([f, content, mode]) => [rel(f), content, mode]) } : null,
    monitor: createArgs({
      bundle: p.dir,
      stateDir: p.run,
      id: MARK_ID,
      logPath: p.log,
      restart: 'no',
      ...(net ? { network: net.file } : {}),
    }),
    exitCommand: exitCommand(MARK_ID),
    names: { adjectives: ADJECTIVES, surnames: SURNAMES },
  };
  const file = planPath(store, imageId);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(plan));
  renameSync(tmp, file);
  return true;
}
