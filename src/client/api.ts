/**
 * The one typed seam between the user interfaces (CLI, TUI) and an engine.
 * `Backend` is what the UI may call. The data types are the client's own
 * (types/), plain objects shaped after the Docker Engine API, so that the
 * embedded engine and a remote Docker, Podman or berth service produce the
 * same shapes; each backend maps its engine's results onto them. Errors are
 * BerthError with a code. Streams are AsyncIterables that stop when the
 * AbortSignal fires.
 */
import type { Readable, Writable } from 'node:stream';

export { BerthError, BuildFailure, isBerthError, type ErrorCode } from './errors.js';
export type * from './types/images.js';
export type * from './types/containers.js';
export type * from './types/volumes.js';
export type * from './types/streams.js';
export type * from './types/registry.js';
export type * from './types/capabilities.js';
export { FEATURES, capabilities, missingReason, requireFeature } from './types/capabilities.js';
import type { Capabilities } from './types/capabilities.js';
import type { VolumeInfo, VolumeCreate } from './types/volumes.js';
// build and networks: still the engine's own shapes (they came after the client took its data types)
// the service's additions: still the engine's own shapes
export type { SystemInfo, DistributionInfo } from '../engine/types.js';
import type { SystemInfo, DistributionInfo } from '../engine/types.js';
export type { WaitCondition } from '../engine/container/wait.js';
import type { WaitCondition } from '../engine/container/wait.js';
export type { BuildRequest } from '../engine/build/exec/build.js';
export type { BuildRecordInput } from '../engine/build/replay/record.js';
export type { BuildDepends } from '../engine/build/replay/depends.js';
export type { ContextSource } from '../engine/build/context.js';
export type { SolveStatus, Vertex, VertexLog, VertexStatus, VertexWarning } from '../engine/build/progress.js';
export { TRACE_ID, dependsOf, isTrace, resultOf } from '../engine/build/progress.js';
export { BuildError } from '../engine/build/errors.js';
import type { BuildRequest } from '../engine/build/exec/build.js';
import type { BuildRecordInput } from '../engine/build/replay/record.js';
import type { PullRecordInput } from '../engine/registry/pull-record.js';
export type { PullRecordInput } from '../engine/registry/pull-record.js';
export type { NetworkResource, NetworkContainer } from '../engine/network/shapes.js';
export type { NetworkCreate } from '../engine/network/create.js';
import type { NetworkResource } from '../engine/network/shapes.js';
import type { NetworkCreate } from '../engine/network/create.js';
import type {
  AttachSession,
  ContainerCreateRequest,
  ContainerInspect,
  ContainerListOptions,
  ContainerSummary,
  LogLine,
  LogOptions,
  TopResult,
  FilesystemChange,
  ExecOptions,
  CommitOptions,
  UpdateOptions,
  PathStat,
  ExecStart,
} from './types/containers.js';
import type {
  ImageSummary,
  ImageInspect,
  ImageListOptions,
  HistoryItem,
  DeleteItem,
  PruneReport,
  TransferProgress,
  LoadReport,
  ImportOptions,
  DiskUsage,
  CheckReport,
} from './types/images.js';
import type { StatsSample, StatsOptions, EngineEvent, EventOptions, ProgressMessage } from './types/streams.js';
import type {
  PullOptions,
  PushOptions,
  RegistryCredentials,
  LoginResult,
  SearchOptions,
  SearchResult,
} from './types/registry.js';

export interface ImageApi {
  listImages(opts?: ImageListOptions): Promise<ImageSummary[]>;
  /** Docker's ImageInspect for each name or ID (throws NOT_FOUND for the first missing one). */
  inspectImage(ref: string): Promise<ImageInspect>;
  imageHistory(ref: string): Promise<HistoryItem[]>;
  tagImage(source: string, target: string): Promise<void>;
  removeImage(ref: string, opts?: { force?: boolean; noPrune?: boolean }): Promise<DeleteItem[]>;
  pruneImages(opts?: { all?: boolean; filters?: Map<string, string[]> }): Promise<PruneReport>;
  loadImages(
    input: Readable,
    opts?: { signal?: AbortSignal; onProgress?: (p: TransferProgress) => void },
  ): Promise<LoadReport>;
  saveImages(
    refs: string[],
    output: Writable,
    opts?: { signal?: AbortSignal; onProgress?: (p: TransferProgress) => void },
  ): Promise<void>;
  /** input: a tar stream, or an http(s) URL to fetch it from. */
  importImage(input: Readable | string, opts: ImportOptions & { signal?: AbortSignal }): Promise<string>;
  diskUsage(): Promise<DiskUsage>;
  /** The store's consistency check (capability storeCheck). */
  checkStore(opts?: { repair?: boolean }): Promise<CheckReport>;
}

/** How the CLI builds the request of `run [--rm] [-d] IMAGE CMD...` with no other flags. */
export type PlainRunRequest = (
  image: string,
  cmd: string[],
  flags: { rm: boolean; detach: boolean },
) => ContainerCreateRequest;

export interface ContainerApi {
  createContainer(req: ContainerCreateRequest): Promise<{ id: string; warnings: string[] }>;
  /**
   * Store what the native launcher needs to run this image's plain `run` command lines without
   * Node (see engine/container/run-plan.ts), unless it is there already (capability runPlan).
   */
  prepareRunPlan(image: string, request: PlainRunRequest): Promise<void>;
  /**
   * Start; with attach the session sees all output from the first byte. `cleanup`: the caller removes
   * an --rm container itself once the session reports the exit (nothing else runs at the exit then).
   */
  startContainer(
    ref: string,
    opts?: { attach?: { stdin?: boolean; stdout?: boolean; stderr?: boolean; cleanup?: boolean; event?: boolean } },
  ): Promise<{ id: string; session: AttachSession | null; alreadyRunning: boolean }>;
  stopContainer(ref: string, timeout?: number, signal?: string): Promise<void>;
  restartContainer(ref: string, timeout?: number): Promise<void>;
  killContainer(ref: string, signal?: string): Promise<void>;
  pauseContainer(ref: string): Promise<void>;
  unpauseContainer(ref: string): Promise<void>;
  /**
   * Wait for a condition (docker's): `not-running` (the default: now, if it is not running),
   * `next-exit` (the end of the next run, which may start later) or `removed` (its removal).
   */
  waitContainer(
    ref: string,
    signal?: AbortSignal,
    condition?: WaitCondition,
  ): Promise<{ exitCode: number; error: string }>;
  renameContainer(ref: string, name: string): Promise<void>;
  removeContainer(ref: string, opts?: { force?: boolean; volumes?: boolean }): Promise<string>;
  pruneContainers(filters?: Map<string, string[]>): Promise<{ deleted: string[]; spaceReclaimed: number }>;
  listContainers(opts?: ContainerListOptions): Promise<ContainerSummary[]>;
  inspectContainer(ref: string, size?: boolean): Promise<ContainerInspect>;
  containerId(ref: string): Promise<string>;
  containerLogs(ref: string, opts?: LogOptions): AsyncIterable<LogLine>;
  containerTop(ref: string, psArgs?: string[]): Promise<TopResult>;
  containerChanges(ref: string): Promise<FilesystemChange[]>;
  exportContainer(ref: string, out: Writable): Promise<void>;
  statContainerPath(ref: string, path: string, follow?: boolean): Promise<PathStat>;
  copyFromContainer(ref: string, src: string, name: string, out: Writable, follow?: boolean): Promise<void>;
  /** `verify`: read the whole archive first; one with an entry that climbs out of DEST writes nothing (INVALID_ARCHIVE). */
  copyToContainer(
    ref: string,
    dest: string,
    input: Readable,
    top: string,
    keepOwners?: boolean,
    opts?: { verify?: boolean },
  ): Promise<void>;
  commitContainer(ref: string, opts?: CommitOptions): Promise<string>;
  updateContainer(ref: string, opts: UpdateOptions): Promise<void>;
  /**
   * Set up an exec: a program the caller spawns with its own terminal (an engine in this
   * process), or a session over the backend's connection that the caller wires to its terminal.
   */
  execPlan(ref: string, opts: ExecOptions): Promise<ExecStart>;
  /** The shell an interactive exec should run: the login shell of the container's user (its /etc/passwd), else /bin/sh. */
  containerShell(ref: string): Promise<string>;
  attachContainer(ref: string, want: { stdin?: boolean; stdout?: boolean; stderr?: boolean }): Promise<AttachSession>;
  /** Set the size of a running container's terminal (nothing for a container without one). */
  resizeContainer(ref: string, rows: number, cols: number): Promise<void>;
  /** The monitor's exit hook (capability exitHook). */
  cleanupContainer(id: string): Promise<void>;
}

export interface BuildApi {
  /**
   * Build an image: BuildKit's progress (docker's JSON messages with the
   * solve status in `aux` under TRACE_ID), or from a remote engine the
   * classic builder's messages (`stream`, `status`, the context upload under
   * CONTEXT_UPLOAD_ID: format/classic-build.ts), ending with `{aux: {ID}}`;
   * the build's error is thrown (a remote build's as BuildFailure, with its
   * exit status). Stopping the iteration or the signal cancels it.
   */
  buildImage(req: BuildRequest, opts?: { signal?: AbortSignal }): AsyncIterable<ProgressMessage>;
  /**
   * Keep what lets the native launcher answer this build command line again without Node while
   * nothing it depended on changed (engine/build/replay/record.ts; capability runPlan). The
   * input's `depends` is the last message's `aux.Depends` of a build with `record`. Resolves to
   * null when kept, else why not.
   */
  saveBuildRecord(input: BuildRecordInput): Promise<string | null>;
  /** `builder prune`. */
  pruneBuildCache(opts?: {
    all?: boolean;
    filters?: Map<string, string[]>;
  }): Promise<{ deleted: string[]; spaceReclaimed: number }>;
}

export interface VolumeApi {
  createVolume(o: VolumeCreate): Promise<VolumeInfo>;
  listVolumes(filters?: Map<string, string[]>): Promise<VolumeInfo[]>;
  inspectVolume(name: string): Promise<VolumeInfo>;
  removeVolume(name: string, force?: boolean): Promise<void>;
  pruneVolumes(o?: {
    all?: boolean;
    filters?: Map<string, string[]>;
  }): Promise<{ deleted: string[]; spaceReclaimed: number }>;
}

export interface NetworkApi {
  /** `network create`: the new network's ID (and docker's warning, '' when none). */
  createNetwork(o: NetworkCreate): Promise<{ id: string; warning: string }>;
  /** docker's filters: driver, id, label, name, scope, type (custom|builtin), dangling. */
  listNetworks(filters?: Map<string, string[]>): Promise<NetworkResource[]>;
  inspectNetwork(ref: string): Promise<NetworkResource>;
  /** Returns the removed network's ID. */
  removeNetwork(ref: string): Promise<string>;
  /** Removes every user-defined network no running container is on; the removed networks' names. */
  pruneNetworks(filters?: Map<string, string[]>): Promise<{ deleted: string[] }>;
  connectNetwork(network: string, container: string, opts?: { aliases?: string[]; ip?: string }): Promise<void>;
  disconnectNetwork(network: string, container: string, force?: boolean): Promise<void>;
}

export interface StatsApi {
  /**
   * Live samples of one container, one per interval, until the container
   * stops (the iterable then ends) or the signal fires. Served by the
   * backend's one shared sampler, whoever else is subscribed.
   */
  containerStats(ref: string, opts?: StatsOptions): AsyncIterable<StatsSample>;
  /**
   * One batch per interval with a sample for every running container;
   * containers that start or stop appear in and drop out of later batches.
   * Shares the same sampler as containerStats.
   */
  allStats(opts?: StatsOptions): AsyncIterable<StatsSample[]>;
}

export interface EventsApi {
  /**
   * Engine events from every process using this store (the CLI in another
   * session included), oldest first: those since `since`, then new ones as
   * they happen, until `until` passes or the signal fires.
   */
  events(opts?: EventOptions): AsyncIterable<EngineEvent>;
}

export interface RegistryApi {
  /**
   * Pull an image: docker's progress messages (one line per layer: Pulling fs layer, Waiting,
   * Downloading with progressDetail, Verifying Checksum, Download complete, Extracting, Pull
   * complete, Already exists; then "Digest: ..." and "Status: ..."), and last an aux message
   * {ID, Digest, Reference}. The iterable throws the failure (a BerthError: UNAUTHORIZED when
   * the registry wants credentials, NOT_FOUND, DIGEST_MISMATCH, ...). Breaking out of it, or the
   * signal, cancels the pull and leaves nothing behind.
   */
  pullImage(ref: string, opts?: PullOptions): AsyncIterable<ProgressMessage>;
  /**
   * Keep the replay record of a `pull` line whose image was here (the native launcher answers the line
   * again from it: engine/registry/pull-record.ts), after pullImage(ref) finished; null when kept, else why not.
   */
  savePullRecord(ref: string, input: PullRecordInput): Promise<string | null>;
  /**
   * Push a tag (or with allTags every tag of the repository): docker's messages (Preparing,
   * Waiting, Pushing with progressDetail, Pushed, Layer already exists, Mounted from ...; then
   * "TAG: digest: sha256:... size: N") and an aux {Tag, Digest, Size} per tag.
   */
  pushImage(ref: string, opts?: PushOptions): AsyncIterable<ProgressMessage>;
  /** Check credentials against the registry (docker.io when server is omitted), then save them as docker does. */
  login(server: string | undefined, creds: RegistryCredentials, signal?: AbortSignal): Promise<LoginResult>;
  /** Check credentials against the registry without saving them (the API's /auth: its client keeps them); the registry's domain. */
  checkLogin(server: string | undefined, creds: RegistryCredentials, signal?: AbortSignal): Promise<string>;
  /** The manifest a reference names in its registry and the platforms it has, pulling nothing (GET /distribution/{name}/json). */
  inspectDistribution(
    ref: string,
    opts?: { auth?: RegistryCredentials | null; signal?: AbortSignal },
  ): Promise<DistributionInfo>;
  /** Forget a registry's credentials; removed is false when there were none. */
  logout(server?: string): Promise<{ server: string; removed: boolean }>;
  /** Docker Hub's search, or REGISTRY/TERM through that registry's search or catalog. */
  searchImages(term: string, opts?: SearchOptions): Promise<SearchResult[]>;
  /** A repository's tags in its registry (podman's search --list-tags). */
  listTags(repository: string, signal?: AbortSignal): Promise<{ name: string; tags: string[] }>;
}

// ---- the backend -------------------------------------------------------------

export interface BackendInfo {
  /** What is at the other end, for people: "embedded", "docker", "podman", ... (never branched on: see capabilities()). */
  kind: string;
  /** The engine's store (a path for the embedded engine; the remote engine's data root when it says). */
  root: string;
  /** A directory of this machine for this process's runtime files (the app's log). */
  runroot: string;
  /** The host the engine runs on, as the header shows it. */
  host: string;
  /** The endpoint as the user named it: "" for the embedded engine, else unix://..., tcp://..., ssh://... */
  endpoint: string;
  /** The engine's version when it is known ("" for the embedded engine: berth's own). */
  version: string;
}

export interface Backend
  extends ImageApi, RegistryApi, ContainerApi, VolumeApi, NetworkApi, StatsApi, EventsApi, BuildApi {
  info(): BackendInfo;
  /**
   * What this backend can do; a missing feature comes with the reason. The app and the CLI ask
   * here before they offer or call a feature (methods of a missing one throw NOT_SUPPORTED).
   */
  capabilities(): Capabilities;
  /** What `docker info` shows: counts, storage and cgroup drivers, kernel, OS, CPUs, memory, runtimes. */
  systemInfo(): Promise<SystemInfo>;
  close(): Promise<void>;
}
