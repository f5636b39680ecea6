/**
 * Unpack a layer tar into an empty directory in overlayfs form, so layer
 * trees can be stacked with overlayfs directly:
 *   .wh.<name>    -> character device 0/0 <name>
 *   .wh..wh..opq  -> xattr trusted.overlay.opaque=y on its directory
 * Keeps owners, modes (setuid included), mtimes, hard links, symlinks,
 * devices, fifos and PAX xattrs. Never writes outside `dir`: names that
 * climb out are refused, and since the tree is built from nothing, a path's
 * kind is known from what this layer created, so no lookup ever follows a
 * symlink the layer planted.
 */
import {
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  openSync,
  chmodSync,
  rmSync,
  symlinkSync,
  writeSync,
  constants as C,
} from 'node:fs';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { BerthError } from '../errors.js';
import { native } from '../native.js';
import { BATCH_FILE_MAX, FileBatches } from './file-batches.js';
import { TarFormatError, type TarHeader } from '../tar/header.js';
import { readTar } from '../tar/reader.js';
import { entryPath, whiteoutOf } from './paths.js';

export interface UnpackResult {
  /** docker's layer size: bytes of non-directories, hard links counted once. */
  size: number;
  entries: number;
}

type Kind = 'dir' | 'symlink' | 'other';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const OPEN_FLAGS = C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW;

const bad = (msg: string, cause?: unknown) => new BerthError('INVALID_ARCHIVE', msg, { cause });

class Unpacker {
  private readonly kinds = new Map<string, Kind>([['', 'dir']]);
  private readonly sizes = new Map<string, number>();
  private readonly dirTimes = new Map<string, number>();
  /** Directories of this layer with the set-group-ID bit: what is created in them takes their group. */
  private readonly setgidDirs = new Set<string>();
  private readonly root = process.getuid?.() === 0;
  private readonly uid = process.geteuid?.() ?? -1;
  private readonly gid = process.getegid?.() ?? -1;
  /** Read once: the bits open() leaves out of a new file's mode. */
  private readonly umask = process.umask();
  entries = 0;
  /** Small files on their way to the disk (file-batches.ts). */
  readonly batches = new FileBatches();

  constructor(private readonly dir: string) {}

  private abs(rel: string): string {
    return rel ? join(this.dir, rel) : this.dir;
  }

  /** Make sure every ancestor of rel is a real directory of this layer. */
  private ensureParents(rel: string, name: string): void {
    const parent = posix.dirname(rel);
    if (parent === '.' || this.kinds.get(parent) === 'dir') return;
    let cur = '';
    for (const part of parent.split('/')) {
      cur = cur ? `${cur}/${part}` : part;
      const k = this.kinds.get(cur);
      if (k === 'dir') continue;
      if (k === 'symlink') throw bad(`layer entry "${name}" passes through the symbolic link "${cur}"`);
      if (k === 'other') throw bad(`layer entry "${name}" is below "${cur}", which is not a directory`);
      mkdirSync(this.abs(cur), 0o755);
      this.kinds.set(cur, 'dir');
      // a directory made in a set-group-ID directory inherits the bit
      if (this.setgidDirs.has(posix.dirname(cur) === '.' ? '' : posix.dirname(cur))) this.setgidDirs.add(cur);
    }
  }

  /** Record whether the directory at rel (its mode just set) has the set-group-ID bit. */
  private dirMode(rel: string, mode: number): void {
    if (mode & 0o2000) this.setgidDirs.add(rel);
    else this.setgidDirs.delete(rel);
  }

  /** Remove what is at rel unless both it and the newcomer are directories. Returns true when a directory stays. */
  private clear(rel: string, newIsDir: boolean): boolean {
    const k = this.kinds.get(rel);
    if (!k) return false;
    if (k === 'dir' && newIsDir) return true;
    rmSync(this.abs(rel), { recursive: true, force: true });
    this.kinds.delete(rel);
    this.sizes.delete(rel);
    if (k === 'dir') {
      // the directory is gone: its time must not be set on what replaces it (a symlink, maybe out of the layer)
      this.dirTimes.delete(this.abs(rel));
      const prefix = `${rel}/`;
      for (const key of [...this.kinds.keys()]) if (key.startsWith(prefix)) this.kinds.delete(key);
      for (const key of [...this.sizes.keys()]) if (key.startsWith(prefix)) this.sizes.delete(key);
      for (const key of [...this.dirTimes.keys()]) if (key.startsWith(this.abs(prefix))) this.dirTimes.delete(key);
    }
    return false;
  }

  private owner(path: string, h: TarHeader): void {
    if (this.root) lchownSync(path, h.uid, h.gid);
  }

  private xattrs(path: string, h: TarHeader): void {
    for (const [k, v] of h.xattrs) {
      try {
        native().lsetxattr(path, k, v);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOTSUP' || (!this.root && (code === 'EPERM' || code === 'EACCES'))) continue;
        throw e;
      }
    }
  }

  private mknod(path: string, mode: number, major: number, minor: number, name: string): void {
    try {
      native().mknod(path, mode, major, minor);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPERM') {
        throw new BerthError('NEEDS_ROOT', `creating the device or whiteout "${name}" needs root`, { cause: e });
      }
      throw e;
    }
  }

  async entry(h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
    this.entries++;
    const rel = entryPath(h.name);
    if (rel === null) throw bad(`layer entry "${h.name}" points outside the layer`);
    const wh = rel ? whiteoutOf(rel) : ({ kind: 'none' } as const);
    if (wh.kind === 'meta') return;
    // what this entry replaces (or links to) may be a file still in flight: written first
    const touches = wh.kind === 'whiteout' ? wh.path : wh.kind === 'opaque' ? wh.dir : rel;
    if (this.batches.dirty && (this.kinds.has(touches) || h.type === 'link')) await this.batches.drain();
    if (wh.kind === 'opaque') {
      if (wh.dir) {
        this.ensureParents(wh.dir, h.name);
        if (this.kinds.get(wh.dir) !== 'dir') {
          this.clear(wh.dir, true);
          mkdirSync(this.abs(wh.dir), 0o755);
          this.kinds.set(wh.dir, 'dir');
        }
      }
      native().lsetxattr(this.abs(wh.dir), 'trusted.overlay.opaque', Buffer.from('y'));
      return;
    }
    if (wh.kind === 'whiteout') {
      const base = wh.path.slice(wh.path.lastIndexOf('/') + 1);
      if (base === '.' || base === '..' || base === '')
        throw bad(`layer entry "${h.name}" whites out "${wh.path}", which is not a name in its directory`);
      this.ensureParents(wh.path, h.name);
      this.clear(wh.path, false);
      const p = this.abs(wh.path);
      this.mknod(p, S_IFCHR, 0, 0, h.name);
      this.owner(p, h);
      this.kinds.set(wh.path, 'other');
      return;
    }
    if (rel === '') {
      if (h.type !== 'dir') throw bad(`layer entry "${h.name}" replaces the layer root with a non-directory`);
      this.owner(this.dir, h);
      chmodSync(this.dir, h.mode & 0o7777);
      this.dirMode('', h.mode);
      this.xattrs(this.dir, h);
      this.dirTimes.set(this.dir, h.mtime);
      return;
    }
    this.ensureParents(rel, h.name);
    const path = this.abs(rel);
    switch (h.type) {
      case 'dir': {
        if (!this.clear(rel, true)) {
          mkdirSync(path, 0o700);
          this.kinds.set(rel, 'dir');
        }
        this.owner(path, h);
        chmodSync(path, h.mode & 0o7777);
        this.dirMode(rel, h.mode);
        this.xattrs(path, h);
        this.dirTimes.set(path, h.mtime);
        return;
      }
      case 'file': {
        this.clear(rel, false);
        // Created with its mode, so that a file (most of a layer's entries) needs no chown nor chmod when it
        // is this process's own and its mode is not narrowed by the umask: a chown after creation clears the
        // set-ID bits, so those are set again after it. The descriptor is writable whatever the mode.
        const mode = h.mode & 0o7777;
        const parent = posix.dirname(rel);
        const chown =
          this.root && (h.uid !== this.uid || h.gid !== this.gid || this.setgidDirs.has(parent === '.' ? '' : parent));
        if (h.size <= BATCH_FILE_MAX && h.xattrs.size === 0) {
          this.kinds.set(rel, 'other');
          if (!(await this.batches.add(path, h.size, body, { mode, uid: h.uid, gid: h.gid, chown, mtime: h.mtime })))
            throw bad(`layer tar is truncated in "${h.name}"`);
          if (h.size > 0) this.sizes.set(rel, h.size);
          return;
        }
        const fd = openSync(path, OPEN_FLAGS, mode);
        this.kinds.set(rel, 'other');
        try {
          let n = 0;
          for await (const chunk of body) {
            let off = 0;
            while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
            n += chunk.length;
          }
          if (n !== h.size) throw bad(`layer tar is truncated in "${h.name}"`);
          if (chown) fchownSync(fd, h.uid, h.gid);
          if (mode & (0o6000 | this.umask)) fchmodSync(fd, mode);
          futimesSync(fd, h.mtime, h.mtime);
        } finally {
          closeSync(fd);
        }
        this.xattrs(path, h);
        if (h.size > 0) this.sizes.set(rel, h.size);
        return;
      }
      case 'symlink': {
        this.clear(rel, false);
        symlinkSync(h.linkname, path);
        this.kinds.set(rel, 'symlink');
        this.owner(path, h);
        this.xattrs(path, h);
        lutimesSync(path, h.mtime, h.mtime);
        const len = Buffer.byteLength(h.linkname);
        if (len > 0) this.sizes.set(rel, len);
        return;
      }
      case 'link': {
        const target = entryPath(h.linkname);
        if (target === null || target === '')
          throw bad(`layer entry "${h.name}" links to "${h.linkname}", outside the layer`);
        const tk = this.kinds.get(target);
        if (!tk) throw bad(`layer entry "${h.name}" links to "${h.linkname}", which the layer does not contain`);
        if (tk === 'dir') throw bad(`layer entry "${h.name}" is a hard link to the directory "${h.linkname}"`);
        if (target === rel) return;
        this.clear(rel, false);
        linkSync(this.abs(target), path);
        this.kinds.set(rel, tk);
        return;
      }
      case 'char':
      case 'block':
      case 'fifo': {
        this.clear(rel, false);
        const type = h.type === 'char' ? S_IFCHR : h.type === 'block' ? S_IFBLK : S_IFIFO;
        this.mknod(path, type | (h.mode & 0o7777), h.devmajor, h.devminor, h.name);
        this.kinds.set(rel, 'other');
        this.owner(path, h);
        chmodSync(path, h.mode & 0o7777);
        this.xattrs(path, h);
        lutimesSync(path, h.mtime, h.mtime);
        return;
      }
    }
  }

  async finish(): Promise<UnpackResult> {
    await this.batches.drain();
    // Deepest first, so setting a parent's time is not undone by its children.
    const dirs = [...this.dirTimes].sort((a, b) => b[0].length - a[0].length);
    for (const [p, t] of dirs) lutimesSync(p, t, t); // never through a link
    let size = 0;
    for (const s of this.sizes.values()) size += s;
    return { size, entries: this.entries };
  }
}

export async function unpackLayer(
  tar: AsyncIterable<Buffer> | Readable,
  dir: string,
  opts: { signal?: AbortSignal } = {},
): Promise<UnpackResult> {
  const u = new Unpacker(dir);
  try {
    for await (const e of readTar(tar as AsyncIterable<Buffer>, { allowEmpty: true })) {
      if (opts.signal?.aborted) throw new BerthError('CANCELLED', 'cancelled');
      await u.entry(e.header, e.body);
    }
    return await u.finish();
  } catch (e) {
    await u.batches.settle();
    if (e instanceof BerthError) throw e;
    if (e instanceof TarFormatError) throw bad(`layer ${e.message}`, e);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC')
      throw new BerthError('IO', 'no space left on device while unpacking a layer', { cause: e });
    throw new BerthError('IO', `unpacking a layer failed: ${err.message}`, { cause: e });
  }
}
