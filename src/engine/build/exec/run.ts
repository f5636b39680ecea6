/**
 * A RUN step as a container of the engine: an OCI bundle in the step's
 * scratch directory (the layers below as overlay lowers, under an init
 * layer with the mount points, a fresh upper), started under berth-monitor
 * like any container (namespaces, capabilities, cgroup, the network mode
 * the step asks for: the default one is the default bridge, with an address
 * given back when the step ends), its output streamed, its exit awaited. What BuildKit's
 * sandbox shows is kept: hostname buildkitsandbox, /etc/hosts and
 * /etc/resolv.conf bound read-only, no HOSTNAME variable. A cancel kills it.
 * The upper directory is the step's change.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { lstatSync, mkdirSync, rmSync, writeFileSync, renameSync, chownSync, utimesSync, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import { containerCgroupPath } from '../../cgroup/hierarchy.js';
import { buildContainerConfig } from '../../container/options.js';
import { initialState, type ContainerRecord } from '../../container/types.js';
import { BerthError } from '../../errors.js';
import { monitorPath } from '../../native.js';
import { onDefaultBridge, prepareStepNetwork, type StepNetwork } from '../../network/build-step.js';
import { containerResolv, readHostResolv } from '../../network/etc-files.js';
import { shortLayerLink } from '../../runtime/container-fs.js';
import { readLayeredFile } from '../../runtime/layered-path.js';
import {
  ExecError,
  monitorAttach,
  monitorCreate,
  monitorGone,
  monitorStart,
  monitorStop,
  readMonitorState,
  type ExitInfo,
} from '../../runtime/monitor.js';
import { buildSpec, type OciMount } from '../../runtime/spec.js';
import { resolveUser } from '../../runtime/user.js';
import type { Store } from '../../store/store.js';
import type { RunStep } from '../plan/types.js';
import { prepareMounts, type MountSources } from './mount-prep.js';

export const SANDBOX_HOSTNAME = 'buildkitsandbox';
const HOSTS = `127.0.0.1\tlocalhost ${SANDBOX_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
const INIT_DIRS = ['dev', 'proc', 'sys', 'etc'];

export interface RunResult {
  /** The container's upper directory (the step's change). */
  upper: string;
  exitCode: number;
}

export class RunFailed extends BerthError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super('RUNTIME', message);
  }
}

function lstatLayered(layerDirs: string[], rel: string): Stats | null {
  for (const d of layerDirs) {
    try {
      const st = lstatSync(join(d, rel));
      if (st.isCharacterDevice() && st.rdev === 0) return null;
      return st;
    } catch {
      /* not in this layer */
    }
  }
  return null;
}

/** Mount points in the init layer, so the monitor makes none in the upper dir (BuildKit leaves no stubs either). */
function makeStubs(init: string, layerDirs: string[], stubs: [string, 'd' | 'f'][]): void {
  for (const [target, kind] of stubs) {
    const parts = target.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      const path = join(init, rel);
      try {
        lstatSync(path);
        continue;
      } catch {
        /* make it */
      }
      const below = lstatLayered(layerDirs, rel);
      if (below && !below.isDirectory() && i < parts.length) break; // a file or link below: the monitor resolves it
      if (i === parts.length && kind === 'f') writeFileSync(path, '', { mode: 0o644 });
      else mkdirSync(path, { mode: below?.isDirectory() ? below.mode & 0o7777 : 0o755 });
      if (below?.isDirectory()) {
        chownSync(path, below.uid, below.gid);
        utimesSync(path, below.atime, below.mtime);
      }
    }
  }
}

export interface RunOptions {
  store: Store;
  /** The step's scratch directory. */
  dir: string;
  step: RunStep;
  /** Layer chains below, bottom first. */
  chains: string[];
  sources: MountSources;
  onOutput(stream: 1 | 2, data: Buffer): void;
  signal: AbortSignal;
}

export async function runContainer(o: RunOptions): Promise<RunResult> {
  const { store, dir, step } = o;
  const id = randomBytes(32).toString('hex');
  const p = {
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    merged: join(dir, 'merged'),
    init: join(dir, 'init'),
    hosts: join(dir, 'hosts'),
    resolv: join(dir, 'resolv.conf'),
    hostname: join(dir, 'hostname'),
    run: store.layout.containerRun(id),
  };
  for (const d of [p.upper, p.merged, p.init, ...INIT_DIRS.map((x) => join(p.init, x))])
    mkdirSync(d, { recursive: true, mode: 0o755 });
  mkdirSync(p.work, { mode: 0o700 });
  const hostNet = step.network === 'host';
  writeFileSync(p.hosts, HOSTS);
  const hostResolv = readHostResolv();
  writeFileSync(p.resolv, hostNet ? hostResolv.text : containerResolv(hostResolv, {}));
  writeFileSync(p.hostname, `${SANDBOX_HOSTNAME}\n`);
  for (const f of ['etc/hosts', 'etc/resolv.conf']) writeFileSync(join(p.init, f), '', { mode: 0o644 });

  const layerDirs = [...o.chains].reverse().map((c) => store.layout.layerDiff(c.slice(7)));
  const prepared = await prepareMounts(store, step, dir, o.sources);
  try {
    makeStubs(p.init, layerDirs, prepared.stubs);
    const user = resolveUser(
      step.user,
      readLayeredFile([p.upper, p.init, ...layerDirs], 'etc/passwd'),
      readLayeredFile([p.upper, p.init, ...layerDirs], 'etc/group'),
    );
    const built = buildContainerConfig(
      {
        image: '',
        cmd: step.args,
        env: [...step.env, ...step.proxyEnv, ...prepared.env],
        workdir: step.cwd,
        user: step.user,
        ...(hostNet ? {} : { hostname: SANDBOX_HOSTNAME }),
        network: step.network,
      },
      { rootfs: { type: 'layers', diff_ids: [] }, config: {} },
      id,
      { cpus: availableParallelism() },
    );
    const rec: ContainerRecord = {
      id,
      name: `build-${id.slice(0, 12)}`,
      imageId: '',
      imageName: '',
      created: '',
      path: built.path,
      args: built.args,
      config: built.config,
      hostConfig: built.hostConfig,
      layers: o.chains,
      mounts: [],
      networks: {},
      state: initialState(),
    };
    const rel = (abs: string) => abs.slice(store.layout.root.length + 1);
    const lowers = [rel(p.init), ...[...o.chains].reverse().map((c) => shortLayerLink(store.layout, c))];
    const spec = buildSpec({
      rec,
      user,
      rootfs: p.merged,
      overlay: `lowerdir=${lowers.join(':')},upperdir=${rel(p.upper)},workdir=${rel(p.work)}`,
      overlayChdir: store.layout.root,
      files: { hostname: p.hostname, hosts: p.hosts, resolvConf: p.resolv },
      cgroupsPath: containerCgroupPath(id),
      initBinary: monitorPath(),
      extraMounts: prepared.mounts,
    });
    sandboxed(spec, step);
    const tmp = join(dir, 'config.json.tmp');
    writeFileSync(tmp, JSON.stringify(spec));
    renameSync(tmp, join(dir, 'config.json'));
    const net = onDefaultBridge(step.network) ? prepareStepNetwork(store, id, dir) : null;
    try {
      const exit = await execute(dir, p.run, id, o, net);
      return { upper: p.upper, exitCode: exit };
    } finally {
      net?.release();
    }
  } finally {
    prepared.release();
  }
}

/** BuildKit's sandbox: no /etc/hostname mount, hosts and resolv.conf read-only, no HOSTNAME in the environment. */
function sandboxed(spec: Record<string, unknown>, step: RunStep): void {
  const mounts = spec.mounts as OciMount[];
  spec.mounts = mounts
    .filter((m) => m.destination !== '/etc/hostname')
    .map((m) =>
      m.destination === '/etc/hosts' || m.destination === '/etc/resolv.conf'
        ? { ...m, options: [...m.options.filter((x) => x !== 'ro'), 'ro'] }
        : m,
    );
  const proc = spec.process as { env: string[] };
  if (!step.env.some((e) => e.startsWith('HOSTNAME='))) proc.env = proc.env.filter((e) => !e.startsWith('HOSTNAME='));
}

async function execute(
  bundle: string,
  run: string,
  id: string,
  o: RunOptions,
  net: StepNetwork | null,
): Promise<number> {
  rmSync(run, { recursive: true, force: true });
  mkdirSync(run, { recursive: true, mode: 0o700 });
  let session: Awaited<ReturnType<typeof monitorAttach>> | null = null;
  // stop, not kill: a container created but not yet started is ended by it too
  const kill = () => void monitorStop(run, 9, 0).catch(() => undefined);
  try {
    if (o.signal.aborted) throw new BerthError('CANCELLED', 'build cancelled');
    await monitorCreate({ bundle, stateDir: run, id, network: net?.file });
    const created = readMonitorState(run);
    if (created && net) net.handOver(created.monitorPid, created.monitorStartTime);
    // a cancel that came while the container was being made kills it now (the listener would never fire)
    o.signal.addEventListener('abort', kill, { once: true });
    if (o.signal.aborted) kill();
    session = await monitorAttach(run, { stdout: true, stderr: true });
    session.onData((stream, data) => o.onOutput(stream, data));
    try {
      if (o.signal.aborted) throw new BerthError('CANCELLED', 'build cancelled');
      await monitorStart(run);
    } catch (e) {
      if (e instanceof ExecError) throw new RunFailed(e.message, e.exitCode);
      throw e;
    }
    const exit: ExitInfo | null = await session.exited;
    if (o.signal.aborted) throw new BerthError('CANCELLED', 'build cancelled');
    if (!exit) throw new BerthError('RUNTIME', 'the build container monitor went away');
    return exit.exitCode;
  } finally {
    o.signal.removeEventListener('abort', kill);
    session?.close();
    if (!(await monitorGone(run, 1000))) {
      await monitorStop(run, 9, 0).catch(() => undefined);
      await monitorGone(run, 30_000);
    }
    rmSync(run, { recursive: true, force: true });
  }
}

export const stepDir = (scratch: string, n: number) => posix.join(scratch, `step-${n}`);
