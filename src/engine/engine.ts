/**
 * The Engine facade: the one typed API the client seam calls. It opens the
 * store for a root directory and wires the modules together. No process-wide
 * state: several engines on several roots can live in one process.
 */
import type { Readable, Writable } from 'node:stream';
import { importImage, openUrl } from './archive/import.js';
import { loadArchive, type LoadOptions } from './archive/load.js';
import { saveImages, type SaveOptions } from './archive/save.js';
import { imageHistory, inspectImage } from './image/inspect.js';
import { listImages } from './image/list.js';
import { pruneImages, removeImage, tagImage } from './image/remove.js';
import { imageDiskUsage } from './image/usage.js';
import { noUsers, type ImageUsers } from './image/users.js';
import { normalizedString, parseRepoTag, withDefaultTag } from './reference/reference.js';
import { checkStore } from './store/check.js';
import { defaultDirs, type EngineDirs } from './store/paths.js';
import { Store } from './store/store.js';
import type {
  CheckReport,
  DeleteItem,
  DiskUsage,
  HistoryItem,
  ImageListOptions,
  ImageSummary,
  ImportOptions,
  LoadReport,
  PruneReport,
} from './types.js';

export class Engine {
  readonly store: Store;
  private users: ImageUsers = noUsers;

  private constructor(store: Store) {
    this.store = store;
  }

  static open(dirs: Partial<EngineDirs> = {}): Engine {
    const d = { ...defaultDirs(), ...Object.fromEntries(Object.entries(dirs).filter(([, v]) => v)) } as EngineDirs;
    return new Engine(Store.open(d));
  }

  get dirs(): EngineDirs {
    return this.store.layout.dirs;
  }

  close(): void {
    this.store.close();
  }

  // ---- images ----

  listImages(opts?: ImageListOptions): ImageSummary[] {
    return listImages(this.store, opts, this.users);
  }

  inspectImage(ref: string): Record<string, unknown> {
    return inspectImage(this.store, ref);
  }

  imageHistory(ref: string): HistoryItem[] {
    return imageHistory(this.store, ref);
  }

  tagImage(source: string, target: string): void {
    tagImage(this.store, source, normalizedString(withDefaultTag(parseRepoTag(target))));
  }

  removeImage(ref: string, opts?: { force?: boolean; noPrune?: boolean }): DeleteItem[] {
    return removeImage(this.store, this.users, ref, opts);
  }

  pruneImages(opts?: { all?: boolean; filters?: Map<string, string[]> }): PruneReport {
    return pruneImages(this.store, this.users, opts);
  }

  loadImages(input: Readable, opts?: LoadOptions): Promise<LoadReport> {
    return loadArchive(this.store, input, opts);
  }

  saveImages(refs: string[], out: Writable, opts?: SaveOptions): Promise<void> {
    return saveImages(this.store, refs, out, opts);
  }

  async importImage(input: Readable | string, opts: ImportOptions & { signal?: AbortSignal }): Promise<string> {
    const tag = opts.tag ? normalizedString(withDefaultTag(parseRepoTag(opts.tag))) : undefined;
    const stream = typeof input === 'string' ? await openUrl(input, opts.signal) : input;
    return importImage(this.store, stream, { ...opts, ...(tag ? { tag } : {}) });
  }

  diskUsage(): DiskUsage {
    const { images, layersSize } = imageDiskUsage(this.store, this.users);
    return { images, layersSize, containers: [], volumes: [], buildCache: [] };
  }

  checkStore(opts?: { repair?: boolean }): CheckReport {
    return checkStore(this.store, { ...opts, layerInUse: (c) => this.users.layerInUse(c) });
  }
}
