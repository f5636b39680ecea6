/**
 * Containers: what `create`/`run` ask for and what `ps`, `logs`, `top`, `diff`, `exec`, `commit` and `update` give.
 * Plain data crossing the engine boundary, shaped after the Docker Engine API (types.ts says why).
 */
import type { MountSpec } from '../container/types.js';
import type { DeviceMapping } from '../security/devices.js';

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
