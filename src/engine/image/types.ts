/** Image data as the store keeps it (docker's image config JSON and our rows). */

/** The "config" section of an image config (docker's container config subset). */
export interface ContainerConfigLike {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: unknown;
  ArgsEscaped?: boolean;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image config blob (docker's image JSON / OCI image config). */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  'os.version'?: string;
  created?: string;
  author?: string;
  comment?: string;
  docker_version?: string;
  container?: string;
  container_config?: ContainerConfigLike;
  config?: ContainerConfigLike;
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
  parent?: string;
  [key: string]: unknown;
}

export interface ImageRow {
  id: string;
  created: string;
  addedAt: number;
  size: number;
  parent: string | null;
  diffIds: string[];
  topLayer: string | null;
  lastTagAt: number | null;
}

export interface LayerRow {
  chainId: string;
  diffId: string;
  parent: string | null;
  size: number;
  tarSize: number;
}
