/**
 * The one typed seam between the user interfaces (CLI, TUI) and an engine.
 * `Backend` is what the UI may call; the data types are plain objects shaped
 * after the Docker Engine API so that a remote Docker or Podman host can be
 * driven through the same interface later. Errors are BerthError with a code.
 * Streams are AsyncIterables that stop when the AbortSignal fires.
 */
import type { Readable, Writable } from 'node:stream';

export { BerthError, isBerthError, type ErrorCode } from '../engine/errors.js';

export type {
  ImageSummary,
  ImageListOptions,
  HistoryItem,
  DeleteItem,
  PruneReport,
  TransferProgress,
  LoadReport,
  ImportOptions,
  DiskUsageImage,
  DiskUsage,
  CheckReport,
} from '../engine/types.js';
import type {
  ImageSummary,
  ImageListOptions,
  HistoryItem,
  DeleteItem,
  PruneReport,
  TransferProgress,
  LoadReport,
  ImportOptions,
  DiskUsage,
  CheckReport,
} from '../engine/types.js';

export interface ImageApi {
  listImages(opts?: ImageListOptions): Promise<ImageSummary[]>;
  /** Docker's ImageInspect for each name or ID (throws NOT_FOUND for the first missing one). */
  inspectImage(ref: string): Promise<Record<string, unknown>>;
  imageHistory(ref: string): Promise<HistoryItem[]>;
  tagImage(source: string, target: string): Promise<void>;
  removeImage(ref: string, opts?: { force?: boolean; noPrune?: boolean }): Promise<DeleteItem[]>;
  pruneImages(opts?: { all?: boolean; filters?: Map<string, string[]> }): Promise<PruneReport>;
  loadImages(input: Readable, opts?: { signal?: AbortSignal; onProgress?: (p: TransferProgress) => void }): Promise<LoadReport>;
  saveImages(
    refs: string[],
    output: Writable,
    opts?: { signal?: AbortSignal; onProgress?: (p: TransferProgress) => void },
  ): Promise<void>;
  /** input: a tar stream, or an http(s) URL to fetch it from. */
  importImage(input: Readable | string, opts: ImportOptions & { signal?: AbortSignal }): Promise<string>;
  diskUsage(): Promise<DiskUsage>;
  checkStore(opts?: { repair?: boolean }): Promise<CheckReport>;
}

// ---- the backend -------------------------------------------------------------

export interface BackendInfo {
  /** "embedded" or a remote kind. */
  kind: string;
  root: string;
  runroot: string;
  host: string;
}

export interface Backend extends ImageApi {
  info(): BackendInfo;
  close(): Promise<void>;
}
