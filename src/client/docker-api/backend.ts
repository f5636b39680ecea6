/**
 * The remote backend: the Backend interface over the Docker Engine API, for
 * a dockerd, podman's service or berth's own, reached by unix socket, TCP
 * (TLS) or ssh (see endpoint.ts, connection.ts). Containers here; images,
 * volumes and registry work in image-ops.ts; build in build-ops.ts; cp in copy-ops.ts; streams in streams.ts. What
 * only an engine in this process can do is reported missing in
 * capabilities(), and those methods throw NOT_SUPPORTED with the reason.
 */
import { hostname } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { defaultDirs } from '../../engine/store/paths.js';
import type {
  Backend,
  BackendInfo,
  BuildRecordInput,
  PullRecordInput,
  BuildRequest,
  NetworkCreate,
  PlainRunRequest,
  SystemInfo,
} from '../api.js';
import { isBerthError } from '../errors.js';
import { capabilities, requireFeature, type Capabilities } from '../types/capabilities.js';
import type {
  AttachSession,
  CommitOptions,
  ContainerCreateRequest,
  ContainerInspect,
  ContainerListOptions,
  ContainerSummary,
  ExecOptions,
  ExecStart,
  FilesystemChange,
  LogLine,
  LogOptions,
  PathStat,
  TopResult,
  UpdateOptions,
} from '../types/containers.js';
import type { CheckReport } from '../types/images.js';
import type { LoginResult, RegistryCredentials } from '../types/registry.js';
import type { EngineEvent, EventOptions, ProgressMessage, StatsOptions, StatsSample } from '../types/streams.js';
import * as builds from './build-ops.js';
import { Connection, filtersJson, type ConnectionOptions } from './connection.js';
import { containerSummary, createBody } from './convert.js';
import * as cp from './copy-ops.js';
import { execSession } from './exec-ops.js';
import type { Endpoint } from './endpoint.js';
import { ImageOps, splitTag } from './image-ops.js';
import * as nets from './network-ops.js';
import { hijackedSession } from './session.js';
import { ROUNDS_FROM_MS, statsRounds } from './stats-rounds.js';
import * as streams from './streams.js';
import { systemInfoOf } from './system-info.js';

const enc = encodeURIComponent;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DockerBackend extends ImageOps implements Backend {
  private caps: Capabilities;

  private constructor(
    conn: Connection,
    private readonly context: string,
  ) {
    super(conn);
    const remote = `not on a remote engine (${conn.endpoint.url})`;
    this.caps = capabilities({
      runPlan: remote,
      exitHook: remote,
      storeCheck: `${remote}: the engine checks its own store`,
      registryTags: 'not in the Docker Engine API',
      login: 'credentials are kept by the embedded engine only; give them for each pull or push',
    });
  }

  /** Connect and negotiate the API version; UNAVAILABLE in one line when the engine cannot be reached. */
  static async open(endpoint: Endpoint, context = '', o: ConnectionOptions = {}): Promise<DockerBackend> {
    const conn = new Connection(endpoint, o);
    try {
      await conn.open();
    } catch (e) {
      await conn.close(); // an ssh dialer's socket and processes go with it
      throw e;
    }
    return new DockerBackend(conn, context);
  }

  info(): BackendInfo {
    const ep = this.conn.endpoint;
    const e = this.conn.engine;
    const podman = (e.Components ?? []).some((c) => /podman/i.test(c.Name));
    return {
      kind: podman ? 'podman' : 'docker',
      root: '',
      runroot: defaultDirs().runroot,
      host: ep.kind === 'unix' ? hostname() : ep.host,
      endpoint: this.context ? `${this.context} (${ep.url})` : ep.url,
      version: `${e.Version ?? '?'} (API ${this.conn.version})`,
    };
  }
  capabilities(): Capabilities {
    return this.caps;
  }
  async systemInfo(): Promise<SystemInfo> {
    return systemInfoOf((await this.conn.json('GET', '/info')) as Record<string, unknown>);
  }
  async close(): Promise<void> {
    await this.conn.close();
  }

  // ---- what only the embedded engine does ------------------------------------
  async checkStore(): Promise<CheckReport> {
    requireFeature(this.caps, 'storeCheck');
    throw new Error('unreachable');
  }
  async prepareRunPlan(_image: string, _request: PlainRunRequest): Promise<void> {
    requireFeature(this.caps, 'runPlan');
  }
  async cleanupContainer(_id: string): Promise<void> {
    requireFeature(this.caps, 'exitHook');
  }
  async login(_server: string | undefined, _creds: RegistryCredentials): Promise<LoginResult> {
    requireFeature(this.caps, 'login');
    throw new Error('unreachable');
  }
  async logout(): Promise<{ server: string; removed: boolean }> {
    requireFeature(this.caps, 'login');
    throw new Error('unreachable');
  }
  async listTags(): Promise<{ name: string; tags: string[] }> {
    requireFeature(this.caps, 'registryTags');
    throw new Error('unreachable');
  }
  statContainerPath(ref: string, path: string, follow?: boolean): Promise<PathStat> {
    return cp.statPath(this.conn, ref, path, follow);
  }
  copyFromContainer(ref: string, src: string, name: string, out: Writable, follow?: boolean): Promise<void> {
    return cp.copyFrom(this.conn, ref, src, name, out, follow);
  }
  copyToContainer(ref: string, dest: string, input: Readable, top: string, keepOwners?: boolean): Promise<void> {
    // the engine checks the archive before it writes (dockerd and berth's service alike)
    return cp.copyTo(this.conn, ref, dest, input, top, keepOwners);
  }

  // ---- containers --------------------------------------------------------------
  async resizeContainer(ref: string, rows: number, cols: number): Promise<void> {
    await this.conn.call('POST', `/containers/${enc(ref)}/resize`, { query: { h: rows, w: cols } });
  }
  async createContainer(req: ContainerCreateRequest): Promise<{ id: string; warnings: string[] }> {
    const r = (await this.conn.json('POST', '/containers/create', {
      query: { name: req.name },
      body: createBody(req),
    })) as { Id: string; Warnings?: string[] | null };
    return { id: r.Id, warnings: r.Warnings ?? [] };
  }
  async startContainer(
    ref: string,
    opts: { attach?: { stdin?: boolean; stdout?: boolean; stderr?: boolean; cleanup?: boolean } } = {},
  ): Promise<{ id: string; session: AttachSession | null; alreadyRunning: boolean }> {
    const info = await this.inspectContainer(ref);
    const id = info.Id;
    let session: AttachSession | null = null;
    let abandon = () => undefined as void;
    if (opts.attach) {
      // as the docker CLI: the wait is in place (its answer's head is back) before the start, so the exit
      // is known even when the engine removes an --rm container at once
      const waiting = await this.conn.request('POST', `/containers/${enc(id)}/wait`, {
        query: { condition: 'next-exit' },
        stream: true,
      });
      const exit = waiting.body.json().then((r) => {
        const w = r as { StatusCode: number };
        return { exitCode: w.StatusCode, oomKilled: false };
      });
      exit.catch(() => undefined);
      abandon = () => void waiting.body.destroy();
      const a = opts.attach;
      const socket = await this.conn.hijack(`/containers/${enc(id)}/attach`, {
        query: { stream: true, stdin: !!a.stdin, stdout: !!a.stdout, stderr: !!a.stderr },
      });
      session = hijackedSession(socket, !!info.Config.Tty, {
        resize: (h, w) => this.conn.call('POST', `/containers/${enc(id)}/resize`, { query: { h, w } }),
        exit: () => exit,
      });
    }
    try {
      const status = await this.conn.call('POST', `/containers/${enc(id)}/start`);
      return { id, session, alreadyRunning: status === 304 };
    } catch (e) {
      session?.close();
      abandon();
      throw e;
    }
  }
  async stopContainer(ref: string, timeout?: number, signal?: string): Promise<void> {
    // the engine answers once the grace time is over and the container killed
    const timeoutMs = ((timeout ?? 10) + 120) * 1000;
    await this.conn.call('POST', `/containers/${enc(ref)}/stop`, { query: { t: timeout, signal }, timeoutMs });
  }
  async restartContainer(ref: string, timeout?: number): Promise<void> {
    const timeoutMs = ((timeout ?? 10) + 120) * 1000;
    await this.conn.call('POST', `/containers/${enc(ref)}/restart`, { query: { t: timeout }, timeoutMs });
  }
  async killContainer(ref: string, signal?: string): Promise<void> {
    await this.conn.call('POST', `/containers/${enc(ref)}/kill`, { query: { signal } });
  }
  async pauseContainer(ref: string): Promise<void> {
    await this.conn.call('POST', `/containers/${enc(ref)}/pause`);
  }
  async unpauseContainer(ref: string): Promise<void> {
    await this.conn.call('POST', `/containers/${enc(ref)}/unpause`);
  }
  async waitContainer(ref: string, signal?: AbortSignal): Promise<{ exitCode: number; error: string }> {
    // as long as the container runs
    const r = (await this.conn.json('POST', `/containers/${enc(ref)}/wait`, {
      stream: true,
      ...(signal ? { signal } : {}),
    })) as {
      StatusCode: number;
      Error?: { Message?: string } | null;
    };
    return { exitCode: r.StatusCode, error: r.Error?.Message ?? '' };
  }
  async renameContainer(ref: string, name: string): Promise<void> {
    await this.conn.call('POST', `/containers/${enc(ref)}/rename`, { query: { name } });
  }
  async removeContainer(ref: string, o: { force?: boolean; volumes?: boolean } = {}): Promise<string> {
    try {
      await this.conn.call('DELETE', `/containers/${enc(ref)}`, { query: { force: o.force, v: o.volumes } });
    } catch (e) {
      // an --rm container the engine is removing itself (its AutoRemove): removed is what was asked
      if (!(isBerthError(e, 'CONFLICT') && /already in progress/.test(e.message))) throw e;
      await this.conn.call('POST', `/containers/${enc(ref)}/wait`, { query: { condition: 'removed' } }).catch(() => 0);
    }
    return ref;
  }
  async pruneContainers(filters?: Map<string, string[]>) {
    const r = (await this.conn.json('POST', '/containers/prune', { query: { filters: filtersJson(filters) } })) as {
      ContainersDeleted?: string[] | null;
      SpaceReclaimed?: number;
    };
    return { deleted: r.ContainersDeleted ?? [], spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }
  async listContainers(o: ContainerListOptions = {}): Promise<ContainerSummary[]> {
    const list = (await this.conn.json('GET', '/containers/json', {
      query: {
        all: o.all,
        limit: o.latest ? 1 : o.last,
        size: o.size,
        filters: filtersJson(o.filters),
      },
    })) as unknown[];
    return list.map(containerSummary);
  }
  async inspectContainer(ref: string, size?: boolean): Promise<ContainerInspect> {
    return (await this.conn.json('GET', `/containers/${enc(ref)}/json`, { query: { size } })) as ContainerInspect;
  }
  async containerId(ref: string): Promise<string> {
    return (await this.inspectContainer(ref)).Id;
  }
  async *containerLogs(ref: string, opts: LogOptions = {}): AsyncGenerator<LogLine> {
    const info = await this.inspectContainer(ref);
    yield* streams.logs(this.conn, info.Id, !!info.Config.Tty, opts);
  }
  async containerTop(ref: string, psArgs?: string[]): Promise<TopResult> {
    return (await this.conn.json('GET', `/containers/${enc(ref)}/top`, {
      query: { ps_args: psArgs?.length ? psArgs.join(' ') : undefined },
    })) as TopResult;
  }
  async containerChanges(ref: string): Promise<FilesystemChange[]> {
    return ((await this.conn.json('GET', `/containers/${enc(ref)}/changes`)) as FilesystemChange[] | null) ?? [];
  }
  async exportContainer(ref: string, out: Writable): Promise<void> {
    await pipeline(this.conn.chunks('GET', `/containers/${enc(ref)}/export`), out);
  }
  async commitContainer(ref: string, o: CommitOptions = {}): Promise<string> {
    const { repo, tag } = splitTag(o.repo ?? '');
    const r = (await this.conn.json('POST', '/commit', {
      query: {
        container: ref,
        repo: repo || undefined,
        tag: tag || undefined,
        author: o.author,
        comment: o.message,
        pause: o.pause ?? true,
        changes: o.changes,
      },
      // the container's config unchanged (podman's service wants a body)
      body: {},
      // a big container's layer takes a while to write
      timeoutMs: 30 * 60_000,
    })) as { Id: string };
    return r.Id;
  }
  async updateContainer(ref: string, o: UpdateOptions): Promise<void> {
    const { ramInBytes, parseCpus } = await import('../units.js');
    const body = createBody({ image: '', ...o }).HostConfig as Record<string, unknown>;
    if (o.memory) body.Memory = ramInBytes(o.memory);
    if (o.cpus) body.NanoCpus = parseCpus(o.cpus);
    await this.conn.call('POST', `/containers/${enc(ref)}/update`, { body });
  }
  containerShell(ref: string): Promise<string> {
    // as the embedded engine: the user's login shell in the container's /etc/passwd, else /bin/sh
    return cp.loginShell(this.conn, ref);
  }

  execPlan(ref: string, o: ExecOptions): Promise<ExecStart> {
    return execSession(this.conn, ref, o);
  }
  async attachContainer(
    ref: string,
    want: { stdin?: boolean; stdout?: boolean; stderr?: boolean },
  ): Promise<AttachSession> {
    const info = await this.inspectContainer(ref);
    const id = info.Id;
    const socket = await this.conn.hijack(`/containers/${enc(id)}/attach`, {
      query: { stream: true, stdin: !!want.stdin, stdout: !!want.stdout, stderr: !!want.stderr },
    });
    return hijackedSession(socket, !!info.Config.Tty, {
      resize: (h, w) => this.conn.call('POST', `/containers/${enc(id)}/resize`, { query: { h, w } }),
      exit: async () => {
        for (let i = 0; i < 50; i++) {
          const s = (await this.inspectContainer(id)).State;
          if (!s.Running && !s.Restarting) return { exitCode: s.ExitCode, oomKilled: s.OOMKilled };
          await sleep(20 + i * 10);
        }
        return null;
      },
    });
  }

  // ---- networks and builds ---------------------------------------------------------
  createNetwork(o: NetworkCreate) {
    return nets.createNetwork(this.conn, o);
  }
  listNetworks(filters?: Map<string, string[]>) {
    return nets.listNetworks(this.conn, filters);
  }
  inspectNetwork(ref: string) {
    return nets.inspectNetwork(this.conn, ref);
  }
  removeNetwork(ref: string) {
    return nets.removeNetwork(this.conn, ref);
  }
  pruneNetworks(filters?: Map<string, string[]>) {
    return nets.pruneNetworks(this.conn, filters);
  }
  connectNetwork(network: string, container: string, opts?: { aliases?: string[]; ip?: string }) {
    return nets.connectNetwork(this.conn, network, container, opts);
  }
  disconnectNetwork(network: string, container: string, force?: boolean) {
    return nets.disconnectNetwork(this.conn, network, container, force);
  }
  buildImage(req: BuildRequest, opts?: { signal?: AbortSignal }): AsyncGenerator<ProgressMessage> {
    return builds.build(this.conn, req, opts);
  }
  async savePullRecord(_ref: string, _input: PullRecordInput): Promise<string | null> {
    return 'not the embedded engine';
  }
  async saveBuildRecord(_input: BuildRecordInput): Promise<string | null> {
    requireFeature(this.caps, 'runPlan');
    throw new Error('unreachable');
  }
  pruneBuildCache(opts?: { all?: boolean; filters?: Map<string, string[]> }) {
    return builds.pruneBuildCache(this.conn, opts);
  }

  // ---- streams -------------------------------------------------------------------
  async *containerStats(ref: string, opts?: StatsOptions): AsyncGenerator<StatsSample> {
    const info = await this.inspectContainer(ref);
    if (!info.State.Running) return;
    yield* streams.containerStats(this.conn, info.Id, info.Name.replace(/^\//, ''), opts);
  }
  allStats(opts?: StatsOptions): AsyncGenerator<StatsSample[]> {
    // a slow beat (the app's idle lists) asks for a reading per period instead of streaming them
    const every = opts?.intervalMs ?? 1000;
    return every >= ROUNDS_FROM_MS ? statsRounds(this.conn, every, opts) : streams.allStats(this.conn, opts);
  }
  events(opts?: EventOptions): AsyncGenerator<EngineEvent> {
    return streams.events(this.conn, opts);
  }
}
