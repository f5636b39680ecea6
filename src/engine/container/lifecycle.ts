/**
 * Container lifecycle: create, start, stop, kill, restart, pause, unpause,
 * wait, rename, and the exit hook the monitor runs. Each step checks the
 * state docker would and fails with docker's message otherwise.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { BerthError, conflict, notFound, wrongState } from '../errors.js';
import { imageConfig } from '../image/config.js';
import { tryResolveImage } from '../image/resolve.js';
import { containerCgroupPath } from '../cgroup/hierarchy.js';
import { setFrozen } from '../cgroup/control.js';
import {
  ExecError,
  monitorAttach,
  monitorCreate,
  monitorKill,
  monitorNoRestart,
  monitorStart,
  monitorStop,
  readMonitorState,
  type AttachSession,
  type AttachWant,
} from '../runtime/monitor.js';
import { writeBundle } from '../runtime/bundle.js';
import { containerPaths, createContainerDirs } from '../runtime/container-fs.js';
import { immediate } from '../store/db.js';
import type { Store } from '../store/store.js';
import type { ContainerCreateRequest } from '../types.js';
import { ramInBytes } from '../util/units.js';
import { onAbort } from '../util/abort.js';
import { formatRFC3339Nano, nowRFC3339Nano } from '../util/time.js';
import { buildContainerConfig, restartArg } from './options.js';
import { parseMountRequests, resolveMounts } from '../volume/mounts.js';
import { parseVolumeFlag } from '../volume/mount-spec.js';
import { randomName, validateName } from './names.js';
import { containerDb, findContainer, isRunning, stateOf } from './records.js';
import { parseSignal } from './signals.js';
import { initialState, runningState, ZERO_TIME, type ContainerRecord, type PersistedState } from './types.js';
import { initialAttachments } from '../network/attachments.js';
import { isContainerMode } from '../network/container-options.js';
import { prepareNetworking } from '../network/start.js';
import { containerNetworkMode } from './network-mode.js';

export interface LifecycleHooks {
  /** argv the monitor runs after the container exits for good (persists state, --rm). */
  exitCommand?: (id: string) => string[];
  /**
   * Runs between the monitor's start of the process and this process's record of the start: the moment another
   * process (the exit command of an --rm container, any reader) may see a quick run whole (a test seam).
   */
  afterMonitorStart?: (id: string) => Promise<void>;
}

function event(store: Store, rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
  store.event({
    type: 'container',
    action,
    actorId: rec.id,
    attributes: { name: rec.name, image: rec.imageName, ...extra },
  });
}

/** How many NUMA memory nodes the host has (for --cpuset-mems): the highest online node + 1. */
function memoryNodes(): number {
  try {
    const online = readFileSync('/sys/devices/system/node/online', 'utf8').trim();
    return Math.max(...online.split(/[,-]/).map(Number)) + 1;
  } catch {
    return 1;
  }
}

export function createContainer(store: Store, req: ContainerCreateRequest): { id: string; warnings: string[] } {
  const img = tryResolveImage(store.images, req.image);
  if (!img) {
    const shown = req.image.includes(':') || req.image.includes('@') ? req.image : `${req.image}:latest`;
    throw notFound(`Unable to find image '${shown}' locally`);
  }
  const id = randomBytes(32).toString('hex');
  const image = imageConfig(store, img.id);
  const built = buildContainerConfig(req, image, id, { cpus: availableParallelism(), memNodes: memoryNodes() });
  const mountReqs = parseMountRequests(req, Object.keys(image.config?.Volumes ?? {}));
  // as docker records them: -v with a source in Binds (a bare path is an anonymous volume in Config.Volumes)
  const binds = (req.volumes ?? []).filter((v) => parseVolumeFlag(v).source);
  built.hostConfig.Binds = binds.length ? binds : null;
  built.hostConfig.Mounts = req.mounts?.length ? req.mounts : null;
  built.hostConfig.Tmpfs = req.tmpfs?.length
    ? Object.fromEntries(req.tmpfs.map((t) => [t.split(':')[0], t.includes(':') ? t.slice(t.indexOf(':') + 1) : '']))
    : null;
  const anonymousTargets = mountReqs.filter((m) => m.anonymous).map((m) => m.target);
  if (anonymousTargets.length)
    built.config.Volumes = {
      ...(built.config.Volumes ?? {}),
      ...Object.fromEntries(anonymousTargets.map((t) => [t, {}])),
    };
  const db = containerDb(store);
  let networks = {};
  if (isContainerMode(built.hostConfig.NetworkMode))
    built.hostConfig.NetworkMode = `container:${findContainer(store, built.hostConfig.NetworkMode.slice(10)).id}`;
  else
    networks = initialAttachments(store, built.hostConfig.NetworkMode, {
      aliases: req.networkAliases ?? [],
      ip: req.ip ?? '',
      mac: built.config.MacAddress ?? '',
    });
  const name = req.name ? validateName(req.name) : randomName((n) => db.byName(n) !== null);
  const layers = store.images.layersOf(img.id).map((l) => l.chainId);
  const paths = containerPaths(store.layout, id);
  createContainerDirs(paths, { hostname: built.config.Hostname, network: built.hostConfig.NetworkMode });
  const rec: ContainerRecord = {
    id,
    name,
    imageId: img.id,
    imageName: req.image,
    created: nowRFC3339Nano(),
    path: built.path,
    args: built.args,
    config: built.config,
    hostConfig: built.hostConfig,
    layers,
    mounts: [],
    networks,
    state: initialState(),
  };
  try {
    immediate(store.db, () => {
      const taken = db.byName(name);
      if (taken) {
        throw conflict(
          `Conflict. The container name "/${name}" is already in use by container "${taken.id}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
      for (const l of layers)
        if (!store.images.layer(l)) throw new BerthError('NOT_FOUND', `image layer ${l} is missing`);
      db.insert(rec);
      rec.mounts = resolveMounts(store, id, mountReqs);
      db.setMounts(id, rec.mounts);
      event(store, rec, 'create');
    });
  } catch (e) {
    rmSync(paths.dir, { recursive: true, force: true });
    throw e;
  }
  // docker's daemon says so (the CLI prints it)
  const warnings =
    built.hostConfig.NetworkMode === 'host' && (req.publish?.length || req.publishAll)
      ? ['Published ports are discarded when using host network mode']
      : [];
  return { id, warnings };
}

export interface StartOptions {
  /** Attach before the start (all output is seen). With `cleanup`, the caller removes an --rm container after the exit itself. */
  attach?: AttachWant;
}

/** Start a created or exited container; with attach, the session sees all output. */
export async function startContainer(
  store: Store,
  hooks: LifecycleHooks,
  ref: string,
  opts: StartOptions = {},
): Promise<{ id: string; session: AttachSession | null; alreadyRunning: boolean }> {
  const rec = findContainer(store, ref);
  const st = stateOf(store, rec);
  if (st.status === 'paused') throw wrongState('cannot start a paused container, try unpause instead');
  if (isRunning(st)) {
    const session = opts.attach && st.live ? await monitorAttach(store.layout.containerRun(rec.id), opts.attach) : null;
    return { id: rec.id, session, alreadyRunning: true };
  }
  if (st.status === 'removing' || st.status === 'dead')
    throw wrongState(`container ${rec.id.slice(0, 12)} is marked for removal and cannot be started`);
  const p = containerPaths(store.layout, rec.id);
  // docker's copy-up into empty volumes (the file-system helpers load only when volumes are mounted)
  if (rec.mounts.some((m) => m.Type === 'volume')) await (await import('./fs-ops.js')).copyUpVolumes(store, rec);
  writeBundle(store, rec, containerNetworkMode(store, rec));
  rmSync(p.run, { recursive: true, force: true });
  mkdirSync(p.run, { recursive: true, mode: 0o700 });
  const hc = rec.hostConfig;
  const json = hc.LogConfig.Type === 'json-file';
  const net = prepareNetworking(store, rec);
  try {
    await monitorCreate({
      bundle: p.dir,
      stateDir: p.run,
      id: rec.id,
      logPath: json ? p.log : undefined,
      logMaxSize: json && hc.LogConfig.Config['max-size'] ? ramInBytes(hc.LogConfig.Config['max-size']) : undefined,
      logMaxFile: json && hc.LogConfig.Config['max-file'] ? Number(hc.LogConfig.Config['max-file']) : undefined,
      stdin: rec.config.OpenStdin,
      restart: restartArg(hc.RestartPolicy),
      // only --rm needs work done at the exit (the state is read from the monitor's files when asked)
      exitCommand: hc.AutoRemove ? hooks.exitCommand?.(rec.id) : undefined,
      network: net.file,
    });
  } catch (e) {
    net.abandon();
    throw e;
  }
  const created = readMonitorState(p.run);
  if (created) net.handOver(created.monitorPid, created.monitorStartTime);
  let session: AttachSession | null = null;
  try {
    if (opts.attach) {
      session = await monitorAttach(p.run, opts.attach);
      if (opts.attach.event) event(store, rec, 'attach');
    }
    await monitorStart(p.run);
  } catch (e) {
    session?.close();
    if (e instanceof ExecError) {
      const now = formatRFC3339Nano(new Date());
      const state: PersistedState = {
        ...rec.state,
        status: 'exited',
        exitCode: e.exitCode,
        error: e.message,
        startedAt: now,
        finishedAt: now,
      };
      containerDb(store).setState(rec.id, state);
      event(store, rec, 'die', { exitCode: String(e.exitCode) });
    }
    throw e;
  }
  await hooks.afterMonitorStart?.(rec.id);
  const ms = readMonitorState(p.run);
  immediate(store.db, () => {
    // unless another process has seen this run already (it may have ended: then that process recorded its start
    // and its end, see stateOf), and unless an --rm container is gone with it
    const now = containerDb(store).get(rec.id);
    if (!now || now.state.status !== rec.state.status || now.state.startedAt !== rec.state.startedAt) return;
    containerDb(store).setState(rec.id, runningState(rec.state, ms?.startedAt ?? nowRFC3339Nano()));
    event(store, rec, 'start');
  });
  return { id: rec.id, session, alreadyRunning: false };
}

/** Wait until the current run of a container has ended; returns its exit code. */
export async function waitContainer(
  store: Store,
  ref: string,
  signal?: AbortSignal,
): Promise<{ exitCode: number; error: string }> {
  const rec = findContainer(store, ref);
  const run = store.layout.containerRun(rec.id);
  for (;;) {
    const st = stateOf(store, rec);
    if (!isRunning(st) && !(st.live && st.status === 'created' && st.startedAt !== ZERO_TIME)) {
      return { exitCode: st.exitCode, error: st.error };
    }
    if (signal?.aborted) throw new BerthError('CANCELLED', 'wait cancelled');
    if (st.live && st.status !== 'restarting') {
      // the exit frame arrives when the container exits for good (an --rm container may be gone right after)
      try {
        const s = await monitorAttach(run, { stdout: false, stderr: false });
        const off = onAbort(signal, () => s.close());
        let exit;
        try {
          exit = await s.exited;
        } finally {
          off();
        }
        if (exit) return { exitCode: exit.exitCode, error: '' };
      } catch {
        /* the monitor went away between the two reads */
      }
    } else {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function waitStopped(store: Store, rec: ContainerRecord, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const st = stateOf(store, rec);
    if (!isRunning(st) && !st.live) return;
    if (!isRunning(st) && st.status === 'exited') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new BerthError('RUNTIME', `container ${rec.name} did not stop within ${Math.round(ms / 1000)}s`);
}

export async function stopContainer(store: Store, ref: string, timeout?: number, sig?: string): Promise<void> {
  const rec = findContainer(store, ref);
  const st = stateOf(store, rec);
  const run = store.layout.containerRun(rec.id);
  if (!isRunning(st) || !st.live) return; // already stopped: docker treats this as success
  if (st.status === 'paused') await setFrozen(containerCgroupPath(rec.id), false);
  const signal = parseSignal(sig ?? rec.config.StopSignal ?? 'SIGTERM');
  const t = timeout ?? rec.config.StopTimeout ?? 10;
  await monitorStop(run, signal, t);
  event(store, rec, 'kill', { signal: String(signal) });
  await waitStopped(store, rec, (t < 0 ? 3600 : t) * 1000 + 10_000);
  event(store, rec, 'stop');
}

export async function killContainer(store: Store, ref: string, sig = 'SIGKILL'): Promise<void> {
  const rec = findContainer(store, ref);
  const signal = parseSignal(sig);
  const st = stateOf(store, rec);
  if (!isRunning(st) || st.status === 'restarting' || !st.live) {
    throw wrongState(`Cannot kill container: ${ref}: Container ${rec.id} is not running`);
  }
  const run = store.layout.containerRun(rec.id);
  await monitorNoRestart(run);
  await monitorKill(run, signal);
  if (st.status === 'paused' && signal === 9) await setFrozen(containerCgroupPath(rec.id), false);
  event(store, rec, 'kill', { signal: String(signal) });
}

export async function pauseContainer(store: Store, ref: string, pause: boolean): Promise<void> {
  const rec = findContainer(store, ref);
  const st = stateOf(store, rec);
  if (!isRunning(st) || st.status === 'restarting') throw wrongState(`Container ${rec.id} is not running`);
  if (pause && st.status === 'paused') throw wrongState(`Container ${rec.id} is already paused`);
  if (!pause && st.status !== 'paused') throw wrongState(`Container ${rec.id} is not paused`);
  await setFrozen(containerCgroupPath(rec.id), pause);
  event(store, rec, pause ? 'pause' : 'unpause');
}

export async function restartContainer(
  store: Store,
  hooks: LifecycleHooks,
  ref: string,
  timeout?: number,
): Promise<void> {
  await stopContainer(store, ref, timeout);
  await startContainer(store, hooks, ref);
  event(store, findContainer(store, ref), 'restart');
}

export function renameContainer(store: Store, ref: string, newName: string): void {
  const rec = findContainer(store, ref);
  const name = validateName(newName);
  if (name === rec.name) throw conflict(`Renaming a container with the same name as its current name`);
  immediate(store.db, () => {
    const taken = containerDb(store).byName(name);
    if (taken)
      throw conflict(
        `Error when allocating new name: Conflict. The container name "/${name}" is already in use by container "${taken.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    containerDb(store).rename(rec.id, name);
    event(store, { ...rec, name }, 'rename', { oldName: `/${rec.name}` });
  });
}

/** The monitor's exit command for --rm containers: persist the final state (and its `die` event), remove the container. */
export async function cleanupContainer(store: Store, id: string, remove: (id: string) => Promise<void>): Promise<void> {
  const rec = containerDb(store).get(id);
  if (!rec) return;
  const st = stateOf(store, rec);
  if (isRunning(st)) return;
  if (rec.hostConfig.AutoRemove) await remove(id);
}
