/**
 * Images: what `images`, `history`, `rmi`, `load`, `import`, `system df` and `check` give.
 * Plain data crossing the engine boundary, shaped after the Docker Engine API (types.ts says why).
 */
import type { BuildCacheItem } from '../build/cache/usage.js';

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
