/**
 * Images as the user interfaces see them: plain objects shaped after the
 * Docker Engine API, so that any engine (the embedded one, a dockerd, podman,
 * berth's own service) can produce them. The client owns these types; each
 * backend maps its engine's results onto them.
 */

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

/** Docker's image config (the part of ImageInspect the user interfaces read). */
export interface ImageConfig {
  User?: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  StopSignal?: string;
  [key: string]: unknown;
}

/** Docker Engine API ImageInspect (GET /images/{name}/json): the fields read by name, and the rest as they come. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent?: string;
  Comment?: string;
  /** RFC3339Nano. */
  Created: string;
  Author?: string;
  Config: ImageConfig | null;
  Architecture: string;
  Os: string;
  Variant?: string;
  Size: number;
  RootFS?: { Type: string; Layers?: string[] };
  [key: string]: unknown;
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

/** One entry of the build cache (`system df -v`, `builder prune`). */
export interface BuildCacheItem {
  id: string;
  type: string;
  size: number;
  /** ms since the epoch. */
  createdAt: number;
  lastUsedAt: number;
  usageCount: number;
  inUse: boolean;
  shared: boolean;
  description: string;
}

export interface CheckReport {
  unreferencedBlobs: string[];
  unreferencedLayers: string[];
  missingBlobs: string[];
  missingLayers: string[];
  scratchLeftovers: number;
  repaired: boolean;
}
