/** Container records as the store keeps them, in docker's shapes. */
import type { ContainerConfigLike } from '../image/types.js';
import type { Attachments } from '../network/types.js';
import { SHARED } from '../shared-constants.js';

/** docker's container Config (a superset of an image's config section). */
export interface ContainerConfig extends ContainerConfigLike {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[] | null;
  Cmd: string[] | null;
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  OnBuild: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
  /** --mac-address */
  MacAddress?: string;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount: number;
}

/** A mount as the API's Mount object (HostConfig.Mounts; what `--mount` becomes). Type: volume, bind or tmpfs. */
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

/** docker's HostConfig, the fields berth honours. */
export interface HostConfig {
  Binds: string[] | null;
  LogConfig: { Type: string; Config: Record<string, string> };
  NetworkMode: string;
  PortBindings: Record<string, unknown>;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  Init: boolean | null;
  Privileged: boolean;
  ReadonlyRootfs: boolean;
  ShmSize: number;
  Memory: number;
  MemorySwap: number;
  MemoryReservation: number;
  NanoCpus: number;
  CpuShares: number;
  CpuPeriod: number;
  CpuQuota: number;
  CpusetCpus: string;
  CpusetMems: string;
  PidsLimit: number | null;
  Mounts: MountSpec[] | null;
  MaskedPaths: string[];
  ReadonlyPaths: string[];
  [key: string]: unknown;
}

/** A resolved mount of a container (docker's MountPoint, as inspect shows it) plus what berth needs. */
export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** berth: volume copy-up is disabled (nocopy). */
  NoCopy?: boolean;
  /** berth: tmpfs mount options. */
  TmpfsOptions?: string[];
  /** berth: the volume was made for this container. */
  Anonymous?: boolean;
  /** berth: from --tmpfs (docker keeps those in HostConfig.Tmpfs, not in Mounts). */
  TmpfsFlag?: boolean;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** State kept in the database (the monitor's state.json is the live source while it runs). */
export interface PersistedState {
  status: ContainerStatus;
  exitCode: number;
  error: string;
  startedAt: string;
  finishedAt: string;
  oomKilled: boolean;
  restartCount: number;
  /** Set when `stop`/`kill` by the user ended the last run (unless-stopped, and "exited" vs restart). */
  stoppedByUser: boolean;
}

export interface ContainerRecord {
  id: string;
  name: string;
  imageId: string;
  /** What the user typed (docker's Config.Image). */
  imageName: string;
  /** RFC3339Nano. */
  created: string;
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** Chain IDs of the image layers, bottom first. */
  layers: string[];
  /** Volumes, binds and tmpfs mounts, in mount order. */
  mounts: MountPoint[];
  /** The networks it is connected to (by name, in order) and what it asked for on each. */
  networks: Attachments;
  state: PersistedState;
}

export const ZERO_TIME = SHARED.zeroTime;

export function initialState(): PersistedState {
  return {
    status: 'created',
    exitCode: 0,
    error: '',
    startedAt: ZERO_TIME,
    finishedAt: ZERO_TIME,
    oomKilled: false,
    restartCount: 0,
    stoppedByUser: false,
  };
}

/** The state a start records, from the state before and the start time the monitor wrote. */
export function runningState(prev: PersistedState, startedAt: string): PersistedState {
  return {
    ...prev,
    status: 'running',
    exitCode: 0,
    error: '',
    startedAt,
    finishedAt: ZERO_TIME,
    oomKilled: false,
    restartCount: 0,
    stoppedByUser: false,
  };
}
