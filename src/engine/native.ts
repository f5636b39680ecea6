/**
 * Where the native pieces live and how to load them: the N-API addon with
 * the file-system calls Node lacks, and the berth-monitor executable.
 * Both are built by `npm install` (node-gyp, native/binding.gyp).
 */
import { createRequire } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BerthError } from './errors.js';

export interface NativeAddon {
  mknod(path: string, mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Buffer): void;
  lgetxattr(path: string, name: string): Buffer | null;
  llistxattr(path: string): string[];
  mount(source: string, target: string, fstype: string, flags: number, data: string): void;
  umount(target: string, flags?: number): void;
  syncfs(path: string): void;
  /** syncfs on a thread of libuv's pool. */
  syncfsAsync(path: string): Promise<void>;
  /** chattr +T: true when the directory has ext4's "top directory" attribute, false when its file system has none. */
  setTopdir(path: string): boolean;
  chroot(path: string): void;
  /** A pidfd (close-on-exec) for a process; throws ESRCH when there is none. */
  pidfdOpen(pid: number): number;
  /** Whether the pidfd's process has not exited yet. */
  pidfdAlive(fd: number): boolean;
  /** Wait for an exclusive lock on an open file (flock LOCK_EX), or release it. */
  flock(fd: number, exclusive: boolean): void;
  /**
   * Create files on a thread of libuv's pool (write-files.c): `paths` each ended by a NUL, their
   * bytes one after the other in `data`, 7 numbers each in `meta` (length, mode, uid, gid, chown
   * 1/0, atime, mtime in seconds). None may exist.
   */
  writeFilesAsync(paths: string, data: Buffer, meta: Float64Array): Promise<void>;
  /**
   * Read regular files on a thread of libuv's pool (read-files.c): `paths` each ended by a NUL,
   * 6 numbers each in `meta` (the walk's lstat: dev, ino, mode, size; keep 1/0; offset in
   * `arena`). Fills `out` (2 each: kept 1/0, has attributes 1/0) and `digests` (32 bytes each,
   * sha256). A file that is not the entry the lstat saw rejects with syscall "changed".
   */
  readFilesAsync(paths: string, meta: Float64Array, arena: Buffer, out: Float64Array, digests: Buffer): Promise<void>;
  /** A SHA-256 state updated on libuv's pool (hash-write.c); with fd >= 0, what it hashes is also written there. */
  hashWriter(fd: number): HashState;
  /** Hash (and write) the Buffers' bytes, in order, after those before; one call at a time per state. */
  hashWriteAsync(state: HashState, data: Buffer[]): Promise<void>;
  /** The SHA-256 of the bytes so far (32 bytes). */
  hashDigest(state: HashState): Buffer;
  /** Whether the addon was built with ISA-L (inflate.c); without it, inflater() throws ENOSYS. */
  readonly inflateAvailable: boolean;
  /** A new gzip stream's state. */
  inflater(): InflateState;
  /** Inflate from the Buffers of `input`, in order, into `output`: [input bytes used, output bytes made, 1 ended / 2 a member ended / 0]. */
  inflateAsync(state: InflateState, input: Buffer[], output: Buffer): Promise<[number, number, number]>;
}

/** The addon's inflate state (an external). */
export type InflateState = { readonly __inflateState: unique symbol };

/** The addon's SHA-256 state (an external). */
export type HashState = { readonly __hashState: unique symbol };

/** Linux mount(2) flags used by the engine. */
export const MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  REMOUNT: 32,
  BIND: 4096,
  REC: 16384,
  PRIVATE: 1 << 18,
} as const;
export const MNT_DETACH = 2;

/** The package root: the directory holding package.json and native/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new BerthError('IO', 'cannot find the berth package root (native/ is missing)');
}

function buildDir(): string {
  return process.env.BERTH_NATIVE_DIR ?? join(packageRoot(), 'native', 'build', 'Release');
}

/** Size and modification time (ns) of the native launcher, "SIZE:MTIME", "" when it is not built (part of a run plan's stamp). */
export function launcherStat(): string {
  try {
    const st = statSync(join(buildDir(), 'berth-launch'), { bigint: true });
    return `${st.size}:${st.mtimeNs}`;
  } catch {
    return '';
  }
}

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (!addon) {
    const path = join(buildDir(), 'berth_native.node');
    if (!existsSync(path)) {
      throw new BerthError('IO', `native addon not built (${path} is missing): run npm install`);
    }
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  }
  return addon;
}

export function monitorPath(): string {
  const path = process.env.BERTH_MONITOR ?? join(buildDir(), 'berth-monitor');
  if (!existsSync(path)) {
    throw new BerthError('IO', `berth-monitor not built (${path} is missing): run npm install`);
  }
  return path;
}

/** The DNS responder of user-defined networks (native/dns), or null when it is not built. */
export function dnsResponderPath(): string | null {
  const path = join(buildDir(), 'berth-dns');
  return existsSync(path) ? path : null;
}
