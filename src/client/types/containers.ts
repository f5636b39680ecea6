/** Containers as the user interfaces see them (Docker Engine API shapes; see images.ts). */

/** The API's Mount object (what `--mount` flags become). */
export interface MountSpec {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Record<string, string>;
    DriverConfig?: { Name?: string; Options?: Record<string, string> };
  };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** --device, as the API's HostConfig.Devices. */
export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

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
  devices?: DeviceMapping[];
  init?: boolean;
  logDriver?: string;
  /** KEY=VALUE log options (max-size, max-file). */
  logOpts?: string[];
  /** -v specs (docker's Binds, and anonymous volumes as bare paths). */
  volumes?: string[];
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
  /** RFC3339Nano; '' when the backend does not know it (then Status has the words). */
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

/** Docker Engine API ContainerInspect (GET /containers/{id}/json): the fields read by name, the rest as they come. */
export interface ContainerInspect {
  Id: string;
  /** "/name". */
  Name: string;
  Created: string;
  Path: string;
  Args: string[];
  State: {
    Status: string;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    OOMKilled: boolean;
    Dead: boolean;
    Pid: number;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
    [key: string]: unknown;
  };
  Image: string;
  RestartCount: number;
  Config: {
    Hostname?: string;
    User?: string;
    Tty: boolean;
    OpenStdin: boolean;
    StdinOnce?: boolean;
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    Image: string;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    [key: string]: unknown;
  };
  HostConfig: { [key: string]: unknown };
  NetworkSettings: {
    /** The default bridge's gateway and address ('' off it). */
    Gateway?: string;
    IPAddress?: string;
    Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
    Networks?: Record<string, object> | null;
    [key: string]: unknown;
  };
  Mounts: object[];
  [key: string]: unknown;
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

/**
 * How an exec runs, as the backend can carry it: a program the caller spawns
 * with its own terminal (an engine in this process: the monitor joins the
 * container), or a session over the backend's connection that the caller
 * wires to its terminal (a remote engine's hijacked connection).
 */
export type ExecStart =
  { kind: 'process'; program: string; args: string[] } | { kind: 'session'; session: AttachSession };

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

export interface ExitInfo {
  exitCode: number;
  oomKilled: boolean;
}

/** A container's (or an exec's) streams, wired by the caller to a terminal or pipes. */
export interface AttachSession {
  /** Output chunks as they come: stream 1 stdout, 2 stderr. */
  onData(fn: (stream: 1 | 2, data: Buffer) => void): void;
  write(data: Buffer | string): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
  /** Resolves with the exit when the process exits for good; null if the connection ended first. */
  exited: Promise<ExitInfo | null>;
  close(): void;
}

/** What `cp` learns about a path in a container (docker's X-Docker-Container-Path-Stat). */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
  isDir: boolean;
  uid: number;
  gid: number;
}
