/**
 * The plain data types that cross the engine boundary, shaped after the
 * Docker Engine API so a remote Docker or Podman host can produce them too.
 * The UI gets them (and the Backend interface) from client/api.ts; they live
 * here only so the engine can build them without importing upward.
 */
import type { MountSpec } from './container/types.js';
import type { DeviceMapping } from './security/devices.js';
import type { BuildCacheItem } from './build/cache/usage.js';

export type { MountSpec, DeviceMapping, BuildCacheItem };

// ---- images ---------------------------------------------------------------

/** Docker Engine API ImageSummary (GET /images/json). */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  /** Unix seconds. */
  Created: number;
  Size: number;
  SharedSize: number;
  VirtualSize: number;
  Labels: Record<string, string>;
  Containers: number;
}

export interface ImageListOptions {
  all?: boolean;
  /** docker's -f filters, already split: key -> values. */
  filters?: Map<string, string[]>;
}

/** One row of `docker history`. */
export interface HistoryItem {
  /** Image ID for layers that are local images, else "<missing>". */
  Id: string;
  /** Unix seconds. */
  Created: number;
  CreatedBy: string;
  Tags: string[];
  Size: number;
  Comment: string;
}

export interface DeleteItem {
  Untagged?: string;
  Deleted?: string;
}

export interface PruneReport {
  deleted: DeleteItem[];
  spaceReclaimed: number;
}

export interface TransferProgress {
  bytes: number;
  /** Total bytes when known. */
  total?: number;
  layers: number;
  current: string;
}

export interface LoadReport {
  images: { id: string; tags: string[] }[];
  notes: string[];
}

export interface ImportOptions {
  changes?: string[];
  message?: string;
  /** Where the tar came from, for the history comment ("-" for stdin). */
  source: string;
  tag?: string;
  platform?: string;
}

export interface DiskUsageImage {
  id: string;
  tags: string[];
  created: number;
  size: number;
  sharedSize: number;
  uniqueSize: number;
  containers: number;
}

export interface DiskUsage {
  images: DiskUsageImage[];
  /** Bytes of layer content on disk (each layer counted once). */
  layersSize: number;
  containers: { id: string; names: string[]; image: string; sizeRw: number; state: string; created: number }[];
  volumes: { name: string; size: number; links: number }[];
  buildCache: BuildCacheItem[];
}

export interface CheckReport {
  unreferencedBlobs: string[];
  unreferencedLayers: string[];
  missingBlobs: string[];
  missingLayers: string[];
  scratchLeftovers: number;
  repaired: boolean;
}

// ---- containers -------------------------------------------------------------

/** What `create`/`run` ask for: docker's flags, already split by the CLI. */
export interface ContainerCreateRequest {
  image: string;
  name?: string;
  /** Arguments after the image (replace the image's Cmd). */
  cmd?: string[];
  /**
   * --entrypoint: a string (the CLI's flag; '' clears the image's) or the
   * API's list ([] keeps the image's command without its entrypoint, [""]
   * clears both, as dockerd merges them).
   */
  entrypoint?: string | string[];
  /** KEY=VALUE entries (the CLI resolves bare KEYs and --env-file). */
  env?: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  /** KEY=VALUE labels. */
  labels?: string[];
  tty?: boolean;
  /** The terminal's first size, [rows, cols] (docker's HostConfig.ConsoleSize). */
  consoleSize?: [number, number];
  openStdin?: boolean;
  attachStdin?: boolean;
  attachStdout?: boolean;
  attachStderr?: boolean;
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  cpus?: string;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: number;
  shmSize?: string;
  restart?: string;
  autoRemove?: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  /** --network: default, bridge, host, none, container:NAME|ID, or a network's name or ID */
  network?: string;
  /** -p/--publish specs: [IP:][HOSTPORT:]CONTAINERPORT[/PROTO], with ranges */
  publish?: string[];
  /** -P/--publish-all */
  publishAll?: boolean;
  /** --expose: PORT[/PROTO] or a range */
  expose?: string[];
  /** --network-alias (user-defined networks) */
  networkAliases?: string[];
  /**
   * --link NAME[:ALIAS] (user-defined networks, as dockerd takes them there): the linked
   * container's name and alias resolve, for this container only, to its address on the network
   */
  links?: string[];
  /** --ip (user-defined networks with a given subnet) */
  ip?: string;
  /** --mac-address */
  macAddress?: string;
  /** --dns, --dns-search, --dns-option */
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** --add-host NAME:IP (IP may be host-gateway) */
  addHosts?: string[];
  readOnly?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  /** --security-opt: seccomp=unconfined|builtin|<profile JSON> (the CLI reads a file), no-new-privileges[=BOOL], label=, apparmor=. */
  securityOpt?: string[];
  /** --device, as the API's HostConfig.Devices. */
  devices?: DeviceMapping[];
  init?: boolean;
  logDriver?: string;
  /** KEY=VALUE log options (max-size, max-file). */
  logOpts?: string[];
  /** -v specs (docker's Binds, and anonymous volumes as bare paths). */
  volumes?: string[];
  /** The API's Mount objects (what `--mount` flags become). */
  mounts?: MountSpec[];
  /** --tmpfs specs. */
  tmpfs?: string[];
}

/** Docker Engine API ContainerSummary, plus raw state times so UIs can word the status themselves. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  /** Unix seconds. */
  Created: number;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Record<string, string>;
  /** created | running | paused | restarting | removing | exited | dead */
  State: string;
  /** docker's words ("Up 5 minutes"); empty when the backend gives the raw times below. */
  Status: string;
  StartedAt: string;
  FinishedAt: string;
  ExitCode: number;
  RestartCount: number;
  Pid: number;
  HostConfig: { NetworkMode: string };
  /** The networks the container is attached to, by name. */
  NetworkSettings: { Networks: Record<string, object> };
  Mounts: {
    Type: string;
    Name?: string;
    Source: string;
    Destination: string;
    Driver?: string;
    Mode: string;
    RW: boolean;
    Propagation: string;
  }[];
}

export interface ContainerListOptions {
  all?: boolean;
  last?: number;
  latest?: boolean;
  size?: boolean;
  filters?: Map<string, string[]>;
}

/** One entry of a container's log. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano. */
  time: string;
  timeNs: bigint;
  /** With its newline, unless the line was partial. */
  text: string;
}

export interface LogOptions {
  stdout?: boolean;
  stderr?: boolean;
  /** Entries from the end; undefined = all. */
  tail?: number;
  /** --since / --until values as docker takes them. */
  since?: string;
  until?: string;
  follow?: boolean;
  signal?: AbortSignal;
}

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** `diff`: 0 modified (C), 1 added (A), 2 deleted (D), as the Engine API numbers them. */
export interface FilesystemChange {
  Kind: 0 | 1 | 2;
  Path: string;
}

export interface ExecOptions {
  cmd: string[];
  tty?: boolean;
  interactive?: boolean;
  detach?: boolean;
  env?: string[];
  workdir?: string;
  user?: string;
  privileged?: boolean;
  /** With tty: a host file holding "ROWS COLS" for the pty's size, re-read on SIGWINCH (callers without a terminal). */
  winsizeFile?: string;
  /** The API's exec ID, recorded in the exec_create event (docker's execID attribute). */
  execId?: string;
}

/** How to run an exec: the program and argv for the caller to spawn with its terminal. */
export interface ExecPlan {
  program: string;
  args: string[];
}

export interface CommitOptions {
  repo?: string;
  author?: string;
  message?: string;
  changes?: string[];
  pause?: boolean;
}

export interface UpdateOptions {
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  cpus?: string;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  pidsLimit?: number;
  restart?: string;
}

// ---- metrics and events (the streams the TUI and `stats` / `events` read) ----

/**
 * One reading of a container's resources, straight from its cgroup and
 * network namespace. Percentages follow the docker CLI's formulas; the
 * cumulative counters (cpu, net, block I/O) let a chart derive rates.
 */
export interface StatsSample {
  id: string;
  name: string;
  /** ms since epoch when this sample was read. */
  time: number;
  /**
   * Δcontainer / Δsystem × onlineCpus × 100 since the sampler's previous
   * reading of this container. A container is read once when first seen and
   * its samples are delivered from the next interval on, so every sample has
   * a real figure (0 when it used no CPU).
   */
  cpuPercent: number;
  /** Cumulative CPU time of the container, ns. */
  cpuTotalNs: number;
  /** Cumulative system CPU time (/proc/stat), ns. */
  systemNs: number;
  onlineCpus: number;
  /** usage − inactive file (v2 inactive_file, v1 total_inactive_file), bytes. */
  memUsed: number;
  /** The container's memory limit, capped at the host's memory, bytes. */
  memLimit: number;
  memPercent: number;
  memFailcnt: number;
  oomKills: number;
  /** Network totals over the container's interfaces (loopback excluded), cumulative. */
  netRxBytes: number;
  netTxBytes: number;
  netRxPackets: number;
  netTxPackets: number;
  /** Block I/O totals, cumulative bytes. */
  blockRead: number;
  blockWrite: number;
  pids: number;
  /** null when unlimited. */
  pidsLimit: number | null;
  /** The rest of docker's stats document, when a subscriber asked for it (StatsOptions.detail). */
  detail?: StatsDetail;
}

/** What docker's stats JSON shows beyond the StatsSample figures (cgroup v1 or v2 as the host has). */
export interface StatsDetail {
  cgroupV2: boolean;
  /** memory.usage_in_bytes / memory.current, page cache included. */
  memUsage: number;
  /** v1 memory.max_usage_in_bytes; null on v2. */
  memMaxUsage: number | null;
  /** memory.stat, every field (v1: total_inactive_file ...; v2: inactive_file ...). */
  memStats: Record<string, number>;
  cpuUserNs: number;
  cpuSystemNs: number;
  /** v1 per-CPU usage; null on v2. */
  perCpuNs: number[] | null;
  throttling: { periods: number; throttledPeriods: number; throttledTimeNs: number };
  /** The reading before this one (docker's precpu_stats): cumulative CPU and system time, ns, and when (ms). */
  prevCpuTotalNs: number;
  prevSystemNs: number;
  prevTime: number;
  /** Bytes per device and operation ("read", "write"). */
  blkio: { major: number; minor: number; op: string; value: number }[];
  /** Per interface, loopback excluded. */
  networks: Record<
    string,
    {
      rxBytes: number;
      rxPackets: number;
      rxErrors: number;
      rxDropped: number;
      txBytes: number;
      txPackets: number;
      txErrors: number;
      txDropped: number;
    }
  >;
}

export interface StatsOptions {
  /**
   * Sampling period, ms (default 1000, at least 100). The shared sampler reads
   * at the shortest period any subscriber asked for; a subscriber with a
   * longer one gets the samples of the readings due for it.
   */
  intervalMs?: number;
  /** Also read what docker's stats document has beyond the figures (StatsSample.detail). */
  detail?: boolean;
  signal?: AbortSignal;
}

/** An engine event, shaped as the Docker Engine API's EventMessage. */
export interface EngineEvent {
  Type: 'image' | 'container' | 'volume' | 'network';
  /** docker's action names: create, start, die, stop, kill, pause, destroy, tag, untag, delete, load, save, ... */
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  /** Seconds since epoch. */
  time: number;
  /** Nanoseconds since epoch. */
  timeNano: bigint;
}

export interface EventOptions {
  /**
   * Replay events from this time on (default: only new events): ms since the
   * epoch, or a string in docker's forms (RFC3339 date/time, Unix seconds,
   * or a Go duration such as "10m" before now).
   */
  since?: number | string;
  /** The stream ends when this time passes (default: follows until aborted); same forms. */
  until?: number | string;
  /** docker's filters: type, event/action, container, image, volume, label. */
  filters?: Map<string, string[]>;
  signal?: AbortSignal;
}

// ---- the system ---------------------------------------------------------------

/** What `docker info` shows, in docker's terms (the API server renders dockerd's /info from it). */
export interface SystemInfo {
  /** The store's engine ID. */
  id: string;
  /** The host name. */
  name: string;
  containers: number;
  containersRunning: number;
  containersPaused: number;
  containersStopped: number;
  images: number;
  driver: string;
  driverStatus: [string, string][];
  loggingDriver: string;
  logDrivers: string[];
  volumeDrivers: string[];
  networkDrivers: string[];
  cgroupDriver: string;
  cgroupVersion: '1' | '2';
  memoryLimit: boolean;
  swapLimit: boolean;
  cpuCfsPeriod: boolean;
  cpuCfsQuota: boolean;
  cpuShares: boolean;
  cpuSet: boolean;
  pidsLimit: boolean;
  oomKillDisable: boolean;
  ipv4Forwarding: boolean;
  kernelVersion: string;
  operatingSystem: string;
  osVersion: string;
  osType: string;
  architecture: string;
  ncpu: number;
  memTotal: number;
  rootDir: string;
  runtimes: Record<string, { path: string }>;
  defaultRuntime: string;
  initBinary: string;
  /** docker's form: "name=seccomp,profile=builtin", "name=no-new-privileges". */
  securityOptions: string[];
  serverVersion: string;
  /** RFC 3339. */
  systemTime: string;
  warnings: string[];
}

// ---- registries -------------------------------------------------------------

/**
 * One message of a long operation's progress (pull, push; later build and
 * load): docker's JSON message (moby pkg/jsonmessage), so the CLI renders it
 * as docker's CLI does, the app as panels, and an API server passes it on.
 */
export interface ProgressMessage {
  /** What the line is about: a layer's short ID, a tag. */
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  /** The rendered bar, when the producer renders it (berth's engine leaves that to the display). */
  progress?: string;
  stream?: string;
  error?: string;
  errorDetail?: { code?: number; message: string };
  /** Results: push's {Tag, Digest, Size}; pull's {ID, Digest, Reference}. */
  aux?: Record<string, unknown>;
}

export interface PullOptions {
  /** os/arch[/variant]; the host's by default. */
  platform?: string;
  allTags?: boolean;
  /**
   * Credentials for this pull only (not saved; docker's X-Registry-Auth); null: none, not even the
   * saved ones (what dockerd does for an API client that sent none); else the saved ones.
   */
  auth?: RegistryCredentials | null;
  signal?: AbortSignal;
}

export interface PushOptions {
  allTags?: boolean;
  /** Credentials for this push only (not saved); null: none, not even the saved ones; else the saved ones. */
  auth?: RegistryCredentials | null;
  signal?: AbortSignal;
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface LoginResult {
  /** The registry as stored (docker.io's key is https://index.docker.io/v1/). */
  server: string;
  /** Where the credentials went: a docker-credential helper's name, or null for the file itself. */
  helper: string | null;
  /** The config file written. */
  configPath: string;
}

export interface SearchOptions {
  limit?: number;
  /** Credentials for this search only (not saved); null: none, not even the saved ones; else the saved ones. */
  auth?: RegistryCredentials | null;
  signal?: AbortSignal;
}

/** What a registry says of a reference without pulling it (the API's GET /distribution/{name}/json). */
export interface DistributionInfo {
  /** The manifest (or manifest list / index) the reference names. */
  descriptor: { mediaType: string; digest: string; size: number; urls?: string[] };
  /** The platforms it has: a list's entries, or a single image's config. */
  platforms: { architecture: string; os: string; variant?: string; 'os.version'?: string; 'os.features'?: string[] }[];
}

/** A result of `search` (Docker Hub's search API fields). */
export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}
