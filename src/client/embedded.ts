/**
 * The embedded backend: the engine running inside this process. A thin
 * adapter from the Backend interface to the Engine facade.
 */
import { hostname } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { Engine } from '../engine/engine.js';
import type { EngineDirs } from '../engine/store/paths.js';
import type { Backend, BackendInfo, ImportOptions, ImageListOptions, TransferProgress } from './api.js';

export class EmbeddedBackend implements Backend {
  readonly engine: Engine;

  constructor(dirs: Partial<EngineDirs> = {}) {
    this.engine = Engine.open(dirs);
  }

  info(): BackendInfo {
    return { kind: 'embedded', root: this.engine.dirs.root, runroot: this.engine.dirs.runroot, host: hostname() };
  }

  async close(): Promise<void> {
    this.engine.close();
  }

  async listImages(opts?: ImageListOptions) {
    return this.engine.listImages(opts);
  }
  async inspectImage(ref: string) {
    return this.engine.inspectImage(ref);
  }
  async imageHistory(ref: string) {
    return this.engine.imageHistory(ref);
  }
  async tagImage(source: string, target: string) {
    this.engine.tagImage(source, target);
  }
  async removeImage(ref: string, opts?: { force?: boolean; noPrune?: boolean }) {
    return this.engine.removeImage(ref, opts);
  }
  async pruneImages(opts?: { all?: boolean; filters?: Map<string, string[]> }) {
    return this.engine.pruneImages(opts);
  }
  loadImages(input: Readable, opts?: { signal?: AbortSignal; onProgress?: (p: TransferProgress) => void }) {
    return this.engine.loadImages(input, opts);
  }
  saveImages(refs: string[], out: Writable, opts?: { signal?: AbortSignal; onProgress?: (p: TransferProgress) => void }) {
    return this.engine.saveImages(refs, out, opts);
  }
  importImage(input: Readable | string, opts: ImportOptions & { signal?: AbortSignal }) {
    return this.engine.importImage(input, opts);
  }
  async diskUsage() {
    return this.engine.diskUsage();
  }
  async checkStore(opts?: { repair?: boolean }) {
    return this.engine.checkStore(opts);
  }
}
