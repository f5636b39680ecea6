/**
 * The Engine facade: the one typed API the client seam calls. It opens the
 * store for a root directory and wires the modules together. No process-wide
 * state: several engines on several roots can live in one process.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { LoadOptions } from './archive/load.js';
import type { SaveOptions } from './archive/save.js';
import { imageHistory, inspectImage } from './image/inspect.js';
import { listImages } from './image/list.js';
import { pruneImages, removeImage, tagImage } from './image/remove.js';
import { imageDiskUsage } from './image/usage.js';
import type { ImageUsers } from './image/users.js';
import { normalizedString, parseRepoTag, parseTagTarget, withDefaultTag } from './reference/reference.js';
import { checkStore } from './store/check.js';
import { defaultDirs, type EngineDirs } from './store/paths.js';
import { Store } from './store/store.js';
import { containerDb, findContainer, isRunning, stateOf } from './container/records.js';
import type { PathStat } from './container/fs-ops.js';
import {
  cleanupContainer,
  createContainer,
  killContainer,
  pauseContainer,
  renameContainer,
  restartContainer,
  startContainer,
  stopContainer,
  waitContainer,
  type LifecycleHooks,
  type StartOptions,
} from './container/lifecycle.js';
import {
  attachContainer,
  containerLogs,
  containerTop,
  execPlan,
  resizeContainer,
  updateContainer,
} from './container/ops.js';
import { inspectContainer, listContainers } from './container/query.js';
import { pruneContainers, removeContainer } from './container/remove.js';
import { loginShell } from './container/shell.js';
import { MARK, runPlanCurrent, writeRunPlan } from './container/run-plan.js';
import { tryResolveImage } from './image/resolve.js';
import type { AttachSession } from './runtime/monitor.js';
import {
  createVolume,
  inspectVolume,
  listVolumes,
  pruneVolumes,
  removeVolume,
  volumeUsage,
  type VolumeCreate,
  type VolumeInfo,
} from './volume/service.js';
import { checkFilterKeys, matchLabel, parseUntil } from './util/filters.js';
import { eventFeed } from './events/feed.js';
import { createNetwork, type NetworkCreate } from './network/create.js';
import { inspectNetwork, listNetworks, pruneNetworks, removeNetwork } from './network/service.js';
import type { NetworkResource } from './network/shapes.js';
import { sweepNetworks } from './network/sweep.js';
import { StatsSampler } from './stats/sampler.js';
import { systemInfo } from './system/info.js';
import { waitForCondition, type WaitCondition } from './container/wait.js';
import { buildCacheUsesLayer } from './build/cache/cache-db.js';
import { buildCacheUsage, pruneBuildCache } from './build/cache/usage.js';
import type { BuildRequest } from './build/exec/build.js';
import { removeBuildRecords, writeBuildRecord, type BuildRecordInput } from './build/replay/record.js';
import { allStats, containerStats } from './stats/streams.js';
import type {
  CommitOptions,
  ContainerCreateRequest,
  ContainerListOptions,
  ContainerSummary,
  ExecOptions,
  ExecPlan,
  FilesystemChange,
  LogLine,
  StatsOptions,
  StatsSample,
  LogOptions,
  TopResult,
  UpdateOptions,
  CheckReport,
  DeleteItem,
  EngineEvent,
  EventOptions,
  DiskUsage,
  HistoryItem,
  ImageListOptions,
  ImageSummary,
  ImportOptions,
  LoadReport,
  PruneReport,
  SystemInfo,
  ProgressMessage,
  PullOptions,
  PushOptions,
  RegistryCredentials,
  LoginResult,
  SearchOptions,
  SearchResult,
  DistributionInfo,
} from './types.js';
import type { PresentPull } from './registry/pull.js';
import type { PullRecordInput } from './registry/pull-record.js';
import type { RegistryService } from './registry/service.js';
import type { RegistrySettings } from './registry/settings.js';

export interface EngineOptions extends Partial<EngineDirs> {
  /** argv the container monitor runs when a container exits for good (see `cleanupContainer`). */
  exitCommand?: (id: string) => string[];
  /** A test seam: runs after the monitor started a container's process, before the start is recorded. */
  afterMonitorStart?: (id: string) => Promise<void>;
  /** Registry settings; by default the `registry` section of berth's config file (registry/settings.ts). */
  registry?: RegistrySettings;
}

export class Engine {
  readonly store: Store;
  private readonly users: ImageUsers;
  private readonly hooks: LifecycleHooks;
  private sampler: StatsSampler | null = null;
  private registryService: Promise<RegistryService> | null = null;
  private readonly registrySettings: RegistrySettings | undefined;

  private constructor(store: Store, opts: EngineOptions) {
    this.store = store;
    this.registrySettings = opts.registry;
    this.hooks = {
      ...(opts.exitCommand ? { exitCommand: opts.exitCommand } : {}),
      ...(opts.afterMonitorStart ? { afterMonitorStart: opts.afterMonitorStart } : {}),
    };
    this.users = {
      containersUsing: (imageId) =>
        containerDb(store)
          .usingImage(imageId)
          .map((r) => ({ id: r.id, running: isRunning(stateOf(store, r)) })),
      containerCounts: () => containerDb(store).countByImage(),
      layerInUse: (chain) => containerDb(store).layerInUse(chain) || buildCacheUsesLayer(store.db, chain),
    };
  }

  static open(opts: EngineOptions = {}): Engine {
    const { exitCommand, afterMonitorStart, registry, ...dirs } = opts;
    const d = { ...defaultDirs(), ...Object.fromEntries(Object.entries(dirs).filter(([, v]) => v)) } as EngineDirs;
    const store = Store.open(d);
    try {
      sweepNetworks(store);
    } catch {
      /* the sweep is best effort: a host without ip or nft still opens its store */
    }
    return new Engine(store, {
      ...(exitCommand ? { exitCommand } : {}),
      ...(afterMonitorStart ? { afterMonitorStart } : {}),
      ...(registry ? { registry } : {}),
    });
  }

  get dirs(): EngineDirs {
    return this.store.layout.dirs;
  }

  close(): void {
    this.sampler?.close();
    void this.closeRegistries();
    this.store.close();
  }

  /** Close the registry connections (kept alive between requests); close() starts it without waiting. */
  async closeRegistries(): Promise<void> {
    const r = this.registryService;
    this.registryService = null;
    if (r) await (await r).close().catch(() => undefined);
  }

  // ---- images ----

  listImages(opts?: ImageListOptions): ImageSummary[] {
    return listImages(this.store, opts, this.users);
  }

  inspectImage(ref: string): Record<string, unknown> {
    return inspectImage(this.store, ref);
  }

  imageHistory(ref: string): HistoryItem[] {
    return imageHistory(this.store, ref);
  }

  tagImage(source: string, target: string): void {
    tagImage(this.store, source, normalizedString(withDefaultTag(parseTagTarget(target))));
  }

  removeImage(ref: string, opts?: { force?: boolean; noPrune?: boolean }): DeleteItem[] {
    return removeImage(this.store, this.users, ref, opts);
  }

  pruneImages(opts?: { all?: boolean; filters?: Map<string, string[]> }): PruneReport {
    return pruneImages(this.store, this.users, opts);
  }

  // archives, commit and the file-system operations load on first use: most commands need none of them

  async loadImages(input: Readable, opts?: LoadOptions): Promise<LoadReport> {
    const { loadArchive } = await import('./archive/load.js');
    return loadArchive(this.store, input, opts);
  }

  async saveImages(refs: string[], out: Writable, opts?: SaveOptions): Promise<void> {
    const { saveImages } = await import('./archive/save.js');
    return saveImages(this.store, refs, out, opts);
  }

  async importImage(input: Readable | string, opts: ImportOptions & { signal?: AbortSignal }): Promise<string> {
    const { importImage, openUrl } = await import('./archive/import.js');
    const tag = opts.tag ? normalizedString(withDefaultTag(parseRepoTag(opts.tag))) : undefined;
    const stream = typeof input === 'string' ? await openUrl(input, opts.signal) : input;
    return importImage(this.store, stream, { ...opts, ...(tag ? { tag } : {}) });
  }

  diskUsage(): DiskUsage {
    const { images, layersSize } = imageDiskUsage(this.store, this.users);
    const containers = listContainers(this.store, { all: true, size: true }).map((c) => ({
      id: c.Id,
      names: c.Names.map((n) => n.replace(/^\//, '')),
      image: c.Image,
      sizeRw: c.SizeRw ?? 0,
      state: c.State,
      created: c.Created,
    }));
    return {
      images,
      layersSize,
      containers,
      volumes: volumeUsage(this.store),
      buildCache: buildCacheUsage(this.store),
    };
  }

  checkStore(opts?: { repair?: boolean }): CheckReport {
    return checkStore(this.store, { ...opts, layerInUse: (c) => this.users.layerInUse(c) });
  }

  // ---- registries (loaded on first use) ----

  private registry(): Promise<RegistryService> {
    this.registryService ??= import('./registry/service.js').then(
      ({ RegistryService }) =>
        new RegistryService(this.registrySettings, process.env, join(this.store.layout.runroot, 'registry')),
    );
    return this.registryService;
  }

  /** Pull an image (docker's progress messages; throws the failure). */
  async *pullImage(ref: string, opts: PullOptions = {}): AsyncGenerator<ProgressMessage> {
    const [{ pullImage }, { progressStream }, svc] = await Promise.all([
      import('./registry/pull.js'),
      import('./registry/progress.js'),
      this.registry(),
    ]);
    const start = Date.now();
    this.presentPulls.delete(ref);
    const present = (p: PresentPull) =>
      this.presentPulls.set(ref, { ...p, start, schemeFile: svc.ctx.transport.schemeFile(p.hostport) });
    yield* progressStream((emit, signal) => pullImage(this.store, svc, ref, opts, emit, signal, present), opts.signal);
  }

  /** The last pull of each reference that found its image here by the plain-HTTP HEAD (for its replay record). */
  private readonly presentPulls = new Map<string, PresentPull & { start: number; schemeFile: string | null }>();

  /** Write the replay record of a pull line (registry/pull-record.ts); null when written, else why not. */
  async savePullRecord(ref: string, input: PullRecordInput): Promise<string | null> {
    const { writePullRecord, pullRecordPath } = await import('./registry/pull-record.js');
    const present = this.presentPulls.get(ref);
    if (!present) {
      rmSync(pullRecordPath(this.store, input.argv), { force: true });
      return 'the image was not found here by the plain-HTTP HEAD';
    }
    return writePullRecord(this.store, input, present);
  }

  /** Push an image (docker's progress messages, an aux {Tag, Digest, Size} per tag; throws the failure). */
  async *pushImage(ref: string, opts: PushOptions = {}): AsyncGenerator<ProgressMessage> {
    const [{ pushImage }, { progressStream }, svc] = await Promise.all([
      import('./registry/push.js'),
      import('./registry/progress.js'),
      this.registry(),
    ]);
    yield* progressStream((emit, signal) => pushImage(this.store, svc, ref, opts, emit, signal), opts.signal);
  }

  async login(server: string | undefined, creds: RegistryCredentials, signal?: AbortSignal): Promise<LoginResult> {
    const [{ login }, svc] = await Promise.all([import('./registry/login.js'), this.registry()]);
    return login(svc, server, creds, signal);
  }

  /** Check credentials against a registry without saving them (the API's /auth); the registry's domain. */
  async checkLogin(server: string | undefined, creds: RegistryCredentials, signal?: AbortSignal): Promise<string> {
    const [{ checkLogin }, svc] = await Promise.all([import('./registry/login.js'), this.registry()]);
    return checkLogin(svc, server, creds, signal);
  }

  /** The manifest a reference names in its registry, and its platforms; nothing is pulled. */
  async inspectDistribution(
    ref: string,
    opts: { auth?: RegistryCredentials | null; signal?: AbortSignal } = {},
  ): Promise<DistributionInfo> {
    const [{ inspectDistribution }, svc] = await Promise.all([import('./registry/distribution.js'), this.registry()]);
    return inspectDistribution(svc, ref, opts);
  }

  async logout(server?: string): Promise<{ server: string; removed: boolean }> {
    const [{ logout }, svc] = await Promise.all([import('./registry/login.js'), this.registry()]);
    return logout(svc, server);
  }

  async searchImages(term: string, opts?: SearchOptions): Promise<SearchResult[]> {
    const [{ searchImages }, svc] = await Promise.all([import('./registry/search.js'), this.registry()]);
    return searchImages(svc, term, opts);
  }

  async listTags(repository: string, signal?: AbortSignal): Promise<{ name: string; tags: string[] }> {
    const [{ listTags }, svc] = await Promise.all([import('./registry/search.js'), this.registry()]);
    return listTags(svc, repository, signal);
  }

  // ---- builds ----

  /** Build an image from a Dockerfile: BuildKit's progress as docker's JSON messages, then `{aux: {ID}}`. */
  async *build(req: BuildRequest, opts: { signal?: AbortSignal } = {}): AsyncGenerator<ProgressMessage> {
    const { buildStream } = await import('./build/service.js');
    // FROM an image the store lacks (or --pull): pulled as `berth pull` would
    const pull = async (ref: string, platform: string, emit: (m: ProgressMessage) => void, signal: AbortSignal) => {
      const [{ pullImage }, svc] = await Promise.all([import('./registry/pull.js'), this.registry()]);
      await pullImage(this.store, svc, ref, { platform }, emit, signal);
    };
    yield* buildStream(this.store, req, { ...opts, pull });
  }

  /** `builder prune`: build cache records (and the layers only they kept), cache mounts with `all`. */
  pruneBuildCache(opts?: { all?: boolean; filters?: Map<string, string[]> }): {
    deleted: string[];
    spaceReclaimed: number;
  } {
    // the records name cache entries: gone with them (a pruned cache makes the records' lines run again)
    removeBuildRecords(this.store);
    return pruneBuildCache(this.store, opts);
  }

  /**
   * Write the replay record of a build command line for the native launcher (build/replay/record.ts);
   * null when written, else why not.
   */
  saveBuildRecord(input: BuildRecordInput): string | null {
    return writeBuildRecord(this.store, input);
  }

  // ---- containers ----

  createContainer(req: ContainerCreateRequest): { id: string; warnings: string[] } {
    return createContainer(this.store, req);
  }

  /** Write the image's run plan for the native launcher if it has none (see container/run-plan.ts). */
  prepareRunPlan(
    image: string,
    request: (image: string, cmd: string[], flags: { rm: boolean; detach: boolean }) => ContainerCreateRequest,
  ): void {
    const img = tryResolveImage(this.store.images, image);
    if (!img || runPlanCurrent(this.store, img.id, this.hooks.exitCommand)) return;
    const v = (rm: boolean, detach: boolean) => request(MARK.image, [MARK.cmd], { rm, detach });
    writeRunPlan(
      this.store,
      img.id,
      { '': v(false, false), rm: v(true, false), detach: v(false, true), 'rm,detach': v(true, true) },
      this.hooks.exitCommand,
    );
  }

  startContainer(
    ref: string,
    opts?: StartOptions,
  ): Promise<{ id: string; session: AttachSession | null; alreadyRunning: boolean }> {
    return startContainer(this.store, this.hooks, ref, opts);
  }

  stopContainer(ref: string, timeout?: number, signal?: string): Promise<void> {
    return stopContainer(this.store, ref, timeout, signal);
  }

  restartContainer(ref: string, timeout?: number): Promise<void> {
    return restartContainer(this.store, this.hooks, ref, timeout);
  }

  killContainer(ref: string, signal?: string): Promise<void> {
    return killContainer(this.store, ref, signal);
  }

  pauseContainer(ref: string): Promise<void> {
    return pauseContainer(this.store, ref, true);
  }

  unpauseContainer(ref: string): Promise<void> {
    return pauseContainer(this.store, ref, false);
  }

  waitContainer(
    ref: string,
    signal?: AbortSignal,
    condition?: WaitCondition,
  ): Promise<{ exitCode: number; error: string }> {
    if (condition && condition !== 'not-running') return waitForCondition(this.store, ref, condition, signal);
    return waitContainer(this.store, ref, signal);
  }

  renameContainer(ref: string, name: string): void {
    renameContainer(this.store, ref, name);
  }

  removeContainer(ref: string, opts?: { force?: boolean; volumes?: boolean }): Promise<string> {
    return removeContainer(this.store, ref, opts);
  }

  async pruneContainers(
    filters: Map<string, string[]> = new Map(),
  ): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    checkFilterKeys(filters, ['until', 'label', 'label!']);
    const until = filters.get('until')?.map((u) => parseUntil(u));
    return pruneContainers(this.store, filters, (rec) => {
      if (until && !until.every((u) => Date.parse(rec.created) < u)) return false;
      if (!(filters.get('label') ?? []).every((l) => matchLabel(rec.config.Labels, l))) return false;
      if (!(filters.get('label!') ?? []).every((l) => !matchLabel(rec.config.Labels, l))) return false;
      return true;
    });
  }

  listContainers(opts?: ContainerListOptions): ContainerSummary[] {
    return listContainers(this.store, opts);
  }

  inspectContainer(ref: string, size = false): Record<string, unknown> {
    return inspectContainer(this.store, ref, size);
  }

  /** The full ID of a container (for names and prefixes). */
  containerId(ref: string): string {
    return findContainer(this.store, ref).id;
  }

  containerLogs(ref: string, opts?: LogOptions): AsyncGenerator<LogLine> {
    return containerLogs(this.store, ref, opts);
  }

  containerTop(ref: string, psArgs?: string[]): Promise<TopResult> {
    return containerTop(this.store, ref, psArgs);
  }

  async containerChanges(ref: string): Promise<FilesystemChange[]> {
    return (await import('./container/fs-ops.js')).containerChanges(this.store, ref);
  }

  async exportContainer(ref: string, out: Writable): Promise<void> {
    return (await import('./container/fs-ops.js')).exportContainer(this.store, ref, out);
  }

  async statContainerPath(ref: string, path: string, follow?: boolean): Promise<PathStat> {
    return (await import('./container/fs-ops.js')).statInContainer(this.store, ref, path, follow);
  }

  async copyFromContainer(ref: string, src: string, name: string, out: Writable, follow?: boolean): Promise<void> {
    return (await import('./container/fs-ops.js')).copyFromContainer(this.store, ref, src, name, out, follow);
  }

  async copyToContainer(
    ref: string,
    dest: string,
    input: Readable,
    top: string,
    keepOwners?: boolean,
    opts?: { verify?: boolean },
  ): Promise<void> {
    return (await import('./container/fs-ops.js')).copyToContainer(this.store, ref, dest, input, top, keepOwners, opts);
  }

  async commitContainer(ref: string, opts?: CommitOptions): Promise<string> {
    return (await import('./container/commit.js')).commitContainer(this.store, ref, opts);
  }

  updateContainer(ref: string, opts: UpdateOptions): Promise<void> {
    return updateContainer(this.store, ref, opts);
  }

  execPlan(ref: string, opts: ExecOptions): ExecPlan {
    return execPlan(this.store, ref, opts);
  }

  /** The login shell of a running container's user (its /etc/passwd), else /bin/sh. */
  containerShell(ref: string): string {
    return loginShell(this.store, ref);
  }

  attachContainer(ref: string, want: { stdin?: boolean; stdout?: boolean; stderr?: boolean }): Promise<AttachSession> {
    return attachContainer(this.store, ref, want);
  }

  resizeContainer(ref: string, rows: number, cols: number): Promise<void> {
    return resizeContainer(this.store, ref, rows, cols);
  }

  /** The monitor's exit hook: persist the final state; remove --rm containers. */
  cleanupContainer(id: string): Promise<void> {
    return cleanupContainer(this.store, id, async (cid) => {
      await removeContainer(this.store, cid, { force: true, waitForMonitor: false });
    });
  }

  // ---- metrics ----

  /** The engine's one metrics sampler, shared by every stream (created on first use). */
  get statsSampler(): StatsSampler {
    this.sampler ??= new StatsSampler({ db: this.store.db, runDir: (id) => this.store.layout.containerRun(id) });
    return this.sampler;
  }

  containerStats(ref: string, opts?: StatsOptions): AsyncGenerator<StatsSample> {
    return containerStats(this.store, this.statsSampler, ref, opts);
  }

  allStats(opts?: StatsOptions): AsyncGenerator<StatsSample[]> {
    return allStats(this.statsSampler, opts);
  }

  // ---- volumes ----

  createVolume(o: VolumeCreate): VolumeInfo {
    return createVolume(this.store, o);
  }

  listVolumes(filters?: Map<string, string[]>): VolumeInfo[] {
    return listVolumes(this.store, filters);
  }

  inspectVolume(name: string): VolumeInfo {
    return inspectVolume(this.store, name);
  }

  removeVolume(name: string, force = false): void {
    removeVolume(this.store, name, force, (cid) => {
      const rec = containerDb(this.store).get(cid);
      return rec ? isRunning(stateOf(this.store, rec)) : false;
    });
  }

  pruneVolumes(o?: { all?: boolean; filters?: Map<string, string[]> }): { deleted: string[]; spaceReclaimed: number } {
    return pruneVolumes(this.store, o);
  }

  // ---- the system ----

  /** docker info's facts; `version` is the package's version (the engine does not know it). */
  systemInfo(version: string): SystemInfo {
    const counts = { running: 0, paused: 0, stopped: 0, images: this.store.images.images().length };
    for (const c of listContainers(this.store, { all: true })) {
      if (c.State === 'paused') counts.paused++;
      else if (c.State === 'running' || c.State === 'restarting') counts.running++;
      else counts.stopped++;
    }
    return systemInfo(this.store, counts, version);
  }

  // ---- networks ----

  createNetwork(o: NetworkCreate): { id: string; warning: string } {
    return createNetwork(this.store, o);
  }

  listNetworks(filters?: Map<string, string[]>): NetworkResource[] {
    return listNetworks(this.store, filters);
  }

  inspectNetwork(ref: string): NetworkResource {
    return inspectNetwork(this.store, ref);
  }

  removeNetwork(ref: string): string {
    return removeNetwork(this.store, ref);
  }

  pruneNetworks(filters?: Map<string, string[]>): { deleted: string[] } {
    return pruneNetworks(this.store, filters);
  }

  async connectNetwork(network: string, container: string, o?: { aliases?: string[]; ip?: string }): Promise<void> {
    return (await import('./container/network-connect.js')).connectNetwork(this.store, network, container, o);
  }

  async disconnectNetwork(network: string, container: string, force?: boolean): Promise<void> {
    return (await import('./container/network-connect.js')).disconnectNetwork(this.store, network, container, force);
  }

  // ---- events ----

  /** Events recorded by every process on this store; see events/feed.ts. */
  events(opts?: EventOptions): AsyncGenerator<EngineEvent> {
    return eventFeed(this.store, opts);
  }
}
