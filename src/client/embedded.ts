/**
 * The embedded backend: the engine running inside this process. A thin
 * adapter from the Backend interface to the Engine facade; the engine's
 * results have the client's shapes (the engine builds docker's), so most
 * methods pass them on as they are.
 */
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine/engine.js';
import type { EngineDirs } from '../engine/store/paths.js';
import type {
  Backend,
  BackendInfo,
  CommitOptions,
  ContainerCreateRequest,
  ContainerInspect,
  ImageInspect,
  ContainerListOptions,
  ExecOptions,
  ImportOptions,
  ImageListOptions,
  LogOptions,
  TransferProgress,
  UpdateOptions,
  VolumeCreate,
  NetworkCreate,
  StatsOptions,
  StatsSample,
  EventOptions,
  PlainRunRequest,
  WaitCondition,
  BuildRecordInput,
  PullRecordInput,
  BuildRequest,
  PullOptions,
  PushOptions,
  RegistryCredentials,
  SearchOptions,
  Capabilities,
  ExecStart,
} from './api.js';
import { capabilities } from './types/capabilities.js';

/** The embedded engine does everything the seam offers. */
const ALL: Capabilities = capabilities();

/** The CLI entry, run by a container's monitor when the container exits for good. */
const CLI = fileURLToPath(new URL('../cli/main.cjs', import.meta.url));

export class EmbeddedBackend implements Backend {
  readonly engine: Engine;

  constructor(dirs: Partial<EngineDirs> = {}) {
    let root = '';
    let runroot = '';
    this.engine = Engine.open({
      ...dirs,
      exitCommand: (id) => [process.execPath, CLI, '--root', root, '--runroot', runroot, 'container', 'cleanup', id],
    });
    root = this.engine.dirs.root;
    runroot = this.engine.dirs.runroot;
  }

  info(): BackendInfo {
    return {
      kind: 'embedded',
      root: this.engine.dirs.root,
      runroot: this.engine.dirs.runroot,
      host: hostname(),
      endpoint: '',
      version: '',
    };
  }

  capabilities(): Capabilities {
    return ALL;
  }

  async close(): Promise<void> {
    await this.engine.closeRegistries();
    this.engine.close();
  }

  async systemInfo() {
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    return this.engine.systemInfo(pkg.version);
  }

  async listImages(opts?: ImageListOptions) {
    return this.engine.listImages(opts);
  }
  async inspectImage(ref: string) {
    // the engine builds docker's ImageInspect
    return this.engine.inspectImage(ref) as ImageInspect;
  }
  async imageHistory(ref: string) {
    return this.engine.imageHistory(ref);
  }
  async tagImage(source: string, target: string) {
    this.engine.tagImage(source, target);
  }
  async removeImage(ref: string, opts?: { force?: boolean; noPrune?: boolean }) {
    return this.engine.removeImage(ref, opts);
  }
  async pruneImages(opts?: { all?: boolean; filters?: Map<string, string[]> }) {
    return this.engine.pruneImages(opts);
  }
  loadImages(input: Readable, opts?: { signal?: AbortSignal; onProgress?: (p: TransferProgress) => void }) {
    return this.engine.loadImages(input, opts);
  }
  saveImages(
    refs: string[],
    out: Writable,
    opts?: { signal?: AbortSignal; onProgress?: (p: TransferProgress) => void },
  ) {
    return this.engine.saveImages(refs, out, opts);
  }
  importImage(input: Readable | string, opts: ImportOptions & { signal?: AbortSignal }) {
    return this.engine.importImage(input, opts);
  }
  async diskUsage() {
    return this.engine.diskUsage();
  }
  async checkStore(opts?: { repair?: boolean }) {
    return this.engine.checkStore(opts);
  }

  pullImage(ref: string, opts?: PullOptions) {
    return this.engine.pullImage(ref, opts);
  }
  pushImage(ref: string, opts?: PushOptions) {
    return this.engine.pushImage(ref, opts);
  }
  savePullRecord(ref: string, input: PullRecordInput) {
    return this.engine.savePullRecord(ref, input);
  }
  login(server: string | undefined, creds: RegistryCredentials, signal?: AbortSignal) {
    return this.engine.login(server, creds, signal);
  }
  logout(server?: string) {
    return this.engine.logout(server);
  }
  checkLogin(server: string | undefined, creds: RegistryCredentials, signal?: AbortSignal) {
    return this.engine.checkLogin(server, creds, signal);
  }
  inspectDistribution(ref: string, opts?: { auth?: RegistryCredentials | null; signal?: AbortSignal }) {
    return this.engine.inspectDistribution(ref, opts);
  }
  searchImages(term: string, opts?: SearchOptions) {
    return this.engine.searchImages(term, opts);
  }
  listTags(repository: string, signal?: AbortSignal) {
    return this.engine.listTags(repository, signal);
  }

  async createContainer(req: ContainerCreateRequest) {
    return this.engine.createContainer(req);
  }
  async prepareRunPlan(image: string, request: PlainRunRequest) {
    this.engine.prepareRunPlan(image, request);
  }
  startContainer(
    ref: string,
    opts?: { attach?: { stdin?: boolean; stdout?: boolean; stderr?: boolean; cleanup?: boolean; event?: boolean } },
  ) {
    return this.engine.startContainer(ref, opts);
  }
  stopContainer(ref: string, timeout?: number, signal?: string) {
    return this.engine.stopContainer(ref, timeout, signal);
  }
  restartContainer(ref: string, timeout?: number) {
    return this.engine.restartContainer(ref, timeout);
  }
  killContainer(ref: string, signal?: string) {
    return this.engine.killContainer(ref, signal);
  }
  pauseContainer(ref: string) {
    return this.engine.pauseContainer(ref);
  }
  unpauseContainer(ref: string) {
    return this.engine.unpauseContainer(ref);
  }
  waitContainer(ref: string, signal?: AbortSignal, condition?: WaitCondition) {
    return this.engine.waitContainer(ref, signal, condition);
  }
  async renameContainer(ref: string, name: string) {
    this.engine.renameContainer(ref, name);
  }
  removeContainer(ref: string, opts?: { force?: boolean; volumes?: boolean }) {
    return this.engine.removeContainer(ref, opts);
  }
  pruneContainers(filters?: Map<string, string[]>) {
    return this.engine.pruneContainers(filters);
  }
  async listContainers(opts?: ContainerListOptions) {
    return this.engine.listContainers(opts);
  }
  async inspectContainer(ref: string, size?: boolean) {
    // the engine builds docker's ContainerInspect
    return this.engine.inspectContainer(ref, size) as ContainerInspect;
  }
  async containerId(ref: string) {
    return this.engine.containerId(ref);
  }
  containerLogs(ref: string, opts?: LogOptions) {
    return this.engine.containerLogs(ref, opts);
  }
  containerTop(ref: string, psArgs?: string[]) {
    return this.engine.containerTop(ref, psArgs);
  }
  async containerChanges(ref: string) {
    return this.engine.containerChanges(ref);
  }
  exportContainer(ref: string, out: Writable) {
    return this.engine.exportContainer(ref, out);
  }
  statContainerPath(ref: string, path: string, follow?: boolean) {
    return this.engine.statContainerPath(ref, path, follow);
  }
  copyFromContainer(ref: string, src: string, name: string, out: Writable, follow?: boolean) {
    return this.engine.copyFromContainer(ref, src, name, out, follow);
  }
  copyToContainer(
    ref: string,
    dest: string,
    input: Readable,
    top: string,
    keepOwners?: boolean,
    opts?: { verify?: boolean },
  ) {
    return this.engine.copyToContainer(ref, dest, input, top, keepOwners, opts);
  }
  commitContainer(ref: string, opts?: CommitOptions) {
    return this.engine.commitContainer(ref, opts);
  }
  updateContainer(ref: string, opts: UpdateOptions) {
    return this.engine.updateContainer(ref, opts);
  }
  async execPlan(ref: string, opts: ExecOptions): Promise<ExecStart> {
    return { kind: 'process', ...this.engine.execPlan(ref, opts) };
  }
  async containerShell(ref: string) {
    return this.engine.containerShell(ref);
  }
  attachContainer(ref: string, want: { stdin?: boolean; stdout?: boolean; stderr?: boolean }) {
    return this.engine.attachContainer(ref, want);
  }
  resizeContainer(ref: string, rows: number, cols: number) {
    return this.engine.resizeContainer(ref, rows, cols);
  }
  cleanupContainer(id: string) {
    return this.engine.cleanupContainer(id);
  }
  async createVolume(o: VolumeCreate) {
    return this.engine.createVolume(o);
  }
  async listVolumes(filters?: Map<string, string[]>) {
    return this.engine.listVolumes(filters);
  }
  async inspectVolume(name: string) {
    return this.engine.inspectVolume(name);
  }
  async removeVolume(name: string, force?: boolean) {
    this.engine.removeVolume(name, force);
  }
  async pruneVolumes(o?: { all?: boolean; filters?: Map<string, string[]> }) {
    return this.engine.pruneVolumes(o);
  }

  async createNetwork(o: NetworkCreate) {
    return this.engine.createNetwork(o);
  }
  async listNetworks(filters?: Map<string, string[]>) {
    return this.engine.listNetworks(filters);
  }
  async inspectNetwork(ref: string) {
    return this.engine.inspectNetwork(ref);
  }
  async removeNetwork(ref: string) {
    return this.engine.removeNetwork(ref);
  }
  async pruneNetworks(filters?: Map<string, string[]>) {
    return this.engine.pruneNetworks(filters);
  }
  connectNetwork(network: string, container: string, opts?: { aliases?: string[]; ip?: string }) {
    return this.engine.connectNetwork(network, container, opts);
  }
  disconnectNetwork(network: string, container: string, force?: boolean) {
    return this.engine.disconnectNetwork(network, container, force);
  }

  containerStats(ref: string, opts?: StatsOptions): AsyncGenerator<StatsSample> {
    return this.engine.containerStats(ref, opts);
  }
  allStats(opts?: StatsOptions): AsyncGenerator<StatsSample[]> {
    return this.engine.allStats(opts);
  }
  events(opts?: EventOptions) {
    return this.engine.events(opts);
  }
  buildImage(req: BuildRequest, opts?: { signal?: AbortSignal }) {
    return this.engine.build(req, opts);
  }
  async saveBuildRecord(input: BuildRecordInput) {
    return this.engine.saveBuildRecord(input);
  }
  async pruneBuildCache(opts?: { all?: boolean; filters?: Map<string, string[]> }) {
    return this.engine.pruneBuildCache(opts);
  }
}
