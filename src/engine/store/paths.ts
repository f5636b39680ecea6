/**
 * The on-disk layout (DESIGN.md section 2). Every path the engine touches is
 * derived here from two directories: the root (persistent) and the runroot
 * (runtime state, gone after a reboot).
 */
import { join } from 'node:path';
import { homedir } from 'node:os';
import { SHARED } from '../shared-constants.js';

export interface EngineDirs {
  root: string;
  runroot: string;
}

/** Defaults: /var/lib/berth and /run/berth as root, XDG directories otherwise. */
export function defaultDirs(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): EngineDirs {
  const root =
    env.BERTH_ROOT ||
    (uid === 0 ? SHARED.layout.defaultRoot : join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'berth'));
  const runroot =
    env.BERTH_RUNROOT ||
    (uid === 0 ? SHARED.layout.defaultRunroot : join(env.XDG_RUNTIME_DIR || join('/tmp', `berth-run-${uid}`), 'berth'));
  return { root, runroot };
}

/** Longest runroot for which <runroot>/c/<16 hex>/ctl.sock fits a unix socket address. */
export const MAX_RUNROOT =
  107 - `/${SHARED.layout.containerRun}/0123456789abcdef/${SHARED.monitor.controlSocket}`.length;

export class Layout {
  constructor(readonly dirs: EngineDirs) {}
  get root(): string {
    return this.dirs.root;
  }
  get runroot(): string {
    return this.dirs.runroot;
  }
  get db(): string {
    return join(this.root, SHARED.layout.database);
  }
  get blobsDir(): string {
    return join(this.root, 'blobs', 'sha256');
  }
  blob(hex: string): string {
    return join(this.blobsDir, hex);
  }
  get layersDir(): string {
    return join(this.root, 'layers');
  }
  /** Unpacked tree of a layer, keyed by chain ID (hex). */
  layerDir(chainHex: string): string {
    return join(this.layersDir, chainHex);
  }
  layerDiff(chainHex: string): string {
    return join(this.layersDir, chainHex, 'diff');
  }
  get containersDir(): string {
    return join(this.root, SHARED.layout.containers);
  }
  container(id: string): string {
    return join(this.containersDir, id);
  }
  get volumesDir(): string {
    return join(this.root, 'volumes');
  }
  volume(name: string): string {
    return join(this.volumesDir, name);
  }
  /** Short links to layer trees (l/<12 hex>), for overlay option strings. */
  get linksDir(): string {
    return join(this.root, 'l');
  }
  /** Run plans for the native launcher. */
  get plansDir(): string {
    return join(this.root, 'plans');
  }
  /** Scratch space on the same file system as the store, for atomic renames. */
  get tmpDir(): string {
    return join(this.root, 'tmp');
  }
  /**
   * Runtime state of a container. Short on purpose: the monitor's control
   * socket lives here and unix socket paths are limited to 107 bytes.
   */
  containerRun(id: string): string {
    return join(this.runroot, SHARED.layout.containerRun, id.slice(0, 16));
  }
}
