/**
 * COPY and ADD into a new layer's tree, with the rules of BuildKit's file
 * copier (tonistiigi/fsutil copy): the destination resolved inside the
 * rootfs below (its symlinks followed, never out of it), a file into an
 * existing directory keeps its name, a directory's contents are copied,
 * missing parents are made (mode 0755 or --chmod's, owned by --chown or
 * root), modes, times and extended attributes kept, owners kept or given by
 * --chown, hard links within one source kept. Directories that exist below
 * are copied up with their attributes, so the tree is the layer's diff in
 * overlay form (a COPY never deletes, so it holds no whiteouts).
 *
 * What the checksum read (a ReadMemo) is written as it was read, without
 * reading the source again. The writer remembers what it made (each
 * entry's bytes and the attributes it set) so that the layer's tar can be
 * written from that instead of reading the tree back (`known`). A writer
 * made with `defer` keeps the files it writes from those bytes in memory
 * (fs/unwritten.ts) until the tar has been written: the step writes them
 * only when its layer is new.
 */
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  symlinkSync,
  chmodSync,
  utimesSync,
  writeSync,
  constants as C,
  type Stats,
} from 'node:fs';
import { join, posix } from 'node:path';
import { BerthError } from '../../errors.js';
import { native } from '../../native.js';
import { MAX_ENTRIES, xattrsOf, type ReadEntry } from './reads.js';
import type { CopyOptions, KnownEntry, Owner, TreeKnowledge } from './copy-types.js';
import { applySymbolicMode } from './mode.js';
import { UnwrittenFiles, writeNewFile } from './unwritten.js';
import { DirView, MergedView, resolveIn, statIn, type FsView } from './view.js';

export type { CopyOptions, KnownEntry, Owner, TreeKnowledge } from './copy-types.js';

/** The attributes of a new entry until one is set (shared, never written to). */
const NO_XATTRS: ReadonlyMap<string, Buffer> = new Map();

const fail = (msg: string) => new BerthError('INVALID_ARGUMENT', msg);
const BUF = Buffer.allocUnsafe(1 << 20);

export class TreeWriter {
  readonly merged: MergedView;
  private readonly top: DirView;
  private readonly inodes = new Map<string, string>();
  /** Directories the tree has (made or copied up). */
  private readonly dirs = new Set<string>(['']);
  /** Directories made here that nothing below has: their entries have no counterpart below. */
  private readonly fresh = new Set<string>();
  /**
   * Every entry the writer made, while nothing else wrote into the tree (`exact`): what the
   * tar of the tree may use instead of reading it back.
   */
  private readonly made = new Map<string, KnownEntry>();
  private exact = true;
  private readonly unwritten: UnwrittenFiles | null;

  constructor(
    readonly tree: string,
    lower: FsView,
    opts: { defer?: boolean } = {},
  ) {
    this.merged = new MergedView(tree, lower);
    this.top = new DirView(tree);
    this.unwritten = opts.defer ? new UnwrittenFiles(tree) : null;
  }

  /** Write the files kept in memory: the tree is then complete on the disk. */
  settle(): void {
    if (this.unwritten?.size) this.unwritten.write(this.tree);
  }

  host(rel: string): string {
    return rel ? join(this.tree, rel) : this.tree;
  }

  /** Something other than the writer writes into the tree (ADD's archive extraction): no entry is known. */
  untrack(): void {
    this.settle();
    this.exact = false;
    this.made.clear();
    this.setgid.clear();
  }

  /**
   * What the writer made at rel, if it knows it exactly: null when something else wrote into
   * the tree, or the tree's own root has attributes (the file system or its ACLs give new
   * entries some: every entry is then read back).
   */
  known(): TreeKnowledge | null {
    if (!this.exact) return null;
    let own: boolean;
    try {
      own = native()
        .llistxattr(this.tree)
        .some((n) => !n.startsWith('trusted.overlay.'));
    } catch {
      own = true;
    }
    if (own) {
      this.settle();
      return null;
    }
    return { entry: (rel) => this.made.get(rel), unwritten: this.unwritten?.size ? this.unwritten : null };
  }

  /** Whether a directory of the tree has the set-group-ID bit now (new files then take its group). */
  private readonly setgid = new Map<string, boolean>();

  private setgidDir(rel: string): boolean {
    let v = this.setgid.get(rel);
    if (v === undefined) {
      const st = this.top.lstat(rel);
      v = !st || (st.mode & 0o2000) !== 0;
      this.setgid.set(rel, v);
    }
    return v;
  }

  private setXattr(rel: string, k: string, v: Buffer): void {
    try {
      native().lsetxattr(this.host(rel), k, v);
    } catch {
      return; /* the layer cannot hold it: dropped, as BuildKit's copy does */
    }
    const e = this.made.get(rel);
    if (!e) return;
    e.xattrs = new Map(e.xattrs).set(k, v);
  }

  /** rel is a new entry, with no attributes yet (or another name of a known inode: its entry). */
  private madeEntry(rel: string, entry?: KnownEntry): void {
    if (!this.exact) return;
    // past this many, the tree is read back as it always was (what is kept here stays bounded)
    if (this.made.size >= MAX_ENTRIES) return this.untrack();
    this.made.set(rel, entry ?? { xattrs: NO_XATTRS });
  }

  /** Copy an existing directory up into the tree (with its ancestors), so entries can be made in it. */
  copyUp(rel: string): void {
    if (this.dirs.has(rel)) return;
    const parts = rel.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (this.dirs.has(p)) continue;
      const mine = this.top.lstat(p);
      if (mine) {
        if (!mine.isDirectory()) throw fail(`mkdir /${p}: not a directory`);
        this.dirs.add(p);
        continue;
      }
      const below = this.merged.lstat(p);
      if (!below) return;
      if (!below.isDirectory()) throw fail(`mkdir /${p}: not a directory`);
      mkdirSync(this.host(p));
      this.madeEntry(p);
      this.dirs.add(p);
      this.setInfo(p, below, { uid: below.uid, gid: below.gid }, below.mode & 0o7777);
      for (const [k, v] of xattrsOf(this.merged.hostPath(p))) this.setXattr(p, k, v);
    }
  }

  /** fsutil MkdirAll: make the missing directories of rel (mode, owner), copying up those that exist. */
  mkdirAll(rel: string, mode: number, owner: Owner | null): void {
    const st = statIn(this.merged, rel);
    if (st) {
      if (!st.isDirectory()) throw fail(`mkdir /${rel}: not a directory`);
      this.copyUp(resolveIn(this.merged, rel, true));
      return;
    }
    const parts = rel.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      const s = this.merged.lstat(p);
      if (s?.isDirectory()) {
        this.copyUp(p);
        continue;
      }
      if (s) throw fail(`mkdir /${p}: not a directory`);
      this.copyUp(parts.slice(0, i - 1).join('/'));
      mkdirSync(this.host(p), mode & 0o777);
      this.madeEntry(p);
      chmodSync(this.host(p), mode & 0o7777);
      this.setgid.delete(p);
      if (owner) lchownSync(this.host(p), owner.uid, owner.gid);
      this.dirs.add(p);
      this.fresh.add(p);
    }
  }

  private setInfo(rel: string, st: Stats, owner: Owner, mode: number): void {
    const h = this.host(rel);
    this.setgid.delete(rel);
    lchownSync(h, owner.uid, owner.gid);
    if (!st.isSymbolicLink()) chmodSync(h, mode);
    if (st.isSymbolicLink()) lutimesSync(h, st.atimeMs / 1000, st.mtimeMs / 1000);
    else utimesSync(h, st.atimeMs / 1000, st.mtimeMs / 1000);
  }

  private modeFor(st: Stats, o: CopyOptions): number {
    if (typeof o.chmod === 'number') return o.chmod & 0o7777;
    if (typeof o.chmod === 'string') return applySymbolicMode(st.mode, o.chmod, st.isDirectory());
    return st.mode & 0o7777;
  }

  private ownerFor(st: Stats, o: CopyOptions): Owner {
    return o.chown ?? (o.keepOwners ? { uid: st.uid, gid: st.gid } : { uid: 0, gid: 0 });
  }

  /**
   * What is at rel now: only the tree can have it under a directory made here, and only what
   * the writer made there while it knows all it made.
   */
  private existing(rel: string): Stats | null {
    const parent = posix.dirname(rel);
    if (!this.fresh.has(parent === '.' ? '' : parent)) return this.merged.lstat(rel);
    return this.exact && !this.made.has(rel) ? null : this.top.lstat(rel);
  }

  /** The target is free for a non-directory: a file below is shadowed, one in the tree removed. */
  private clearForFile(rel: string): void {
    const st = this.existing(rel);
    if (!st) return;
    if (st.isDirectory()) throw fail(`cannot replace to directory /${rel} with file`);
    if (this.top.lstat(rel)) {
      rmSync(this.host(rel));
      this.made.delete(rel);
    }
  }

  private copyFile(src: FsView, srcRel: string, st: Stats, rel: string, o: CopyOptions, read: ReadEntry | null): void {
    const key = st.nlink > 1 ? `${st.dev}:${st.ino}` : '';
    const first = key ? this.inodes.get(key) : undefined;
    if (first !== undefined) {
      if (this.unwritten?.has(first)) this.settle();
      linkSync(this.host(first), this.host(rel));
      // another name of the same inode: the same bytes and attributes
      const had = this.made.get(first);
      if (had) this.madeEntry(rel, had);
      else this.untrack();
      return;
    }
    if (read?.data && read.st === st) this.writeFile(read.data, st, rel, o, read.xattrs.length === 0);
    else this.copyFileBytes(src, srcRel, st, rel, o);
    if (key) this.inodes.set(key, rel);
  }

  /**
   * A file whose bytes the checksum read: written from them, or kept in memory until the tar
   * is written when the writer defers and the file gets no extended attributes.
   */
  private writeFile(data: Buffer, st: Stats, rel: string, o: CopyOptions, plain: boolean): void {
    const mode = this.modeFor(st, o);
    const owner = this.ownerFor(st, o);
    const atime = st.atimeMs / 1000;
    const mtime = st.mtimeMs / 1000;
    this.madeEntry(rel, { data, xattrs: NO_XATTRS });
    if (this.unwritten && this.exact && plain && UnwrittenFiles.fits(mtime))
      return this.unwritten.add(rel, data, mode, owner, atime, mtime);
    const parent = posix.dirname(rel);
    const setgid = this.setgidDir(parent === '.' ? '' : parent);
    try {
      writeNewFile(this.host(rel), data, mode, owner, setgid, atime, mtime);
    } catch (e) {
      this.made.delete(rel);
      throw e;
    }
  }

  private setFileInfo(outFd: number, st: Stats, o: CopyOptions): void {
    const owner = this.ownerFor(st, o);
    fchownSync(outFd, owner.uid, owner.gid);
    fchmodSync(outFd, this.modeFor(st, o));
    futimesSync(outFd, st.atimeMs / 1000, st.mtimeMs / 1000);
  }

  private copyFileBytes(src: FsView, srcRel: string, st: Stats, rel: string, o: CopyOptions): void {
    const inFd = openSync(src.hostPath(srcRel), C.O_RDONLY | C.O_NOFOLLOW);
    try {
      const s = fstatSync(inFd);
      if (!s.isFile() || s.ino !== st.ino) throw fail(`/${srcRel} changed while it was copied`);
      const outFd = openSync(this.host(rel), C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
      this.madeEntry(rel);
      try {
        for (;;) {
          const n = readSync(inFd, BUF, 0, BUF.length, null);
          if (n <= 0) break;
          let off = 0;
          while (off < n) off += writeSync(outFd, BUF, off, n - off);
        }
        this.setFileInfo(outFd, st, o);
      } finally {
        closeSync(outFd);
      }
    } finally {
      closeSync(inFd);
    }
  }

  private copyXattrs(src: FsView, srcRel: string, rel: string, read: ReadEntry | null): void {
    for (const [k, v] of read?.xattrs ?? xattrsOf(src.hostPath(srcRel))) this.setXattr(rel, k, v);
  }

  /** fsutil copier.copy: one entry (and a directory's contents) from src to the tree at rel. */
  copyEntry(src: FsView, srcRel: string, rel: string, o: CopyOptions, overwriteMeta: boolean, name = ''): void {
    if (o.signal?.aborted) throw o.signal.reason ?? new BerthError('CANCELLED', 'build cancelled');
    if (name && o.exclude?.ignores(name)) return;
    // a second copy to the same place (another source): what the first made must be on the disk
    if (this.unwritten?.has(rel)) this.settle();
    // the entry as the checksum saw it, when it read it (its bytes are what the key covers)
    const read = o.memo?.known(src.hostPath(srcRel)) ?? null;
    const st = read?.st ?? src.lstat(srcRel);
    if (!st) throw fail(`failed to stat /${srcRel}`);
    const parent = posix.dirname(rel);
    this.copyUp(parent === '.' ? '' : parent);
    if (st.isDirectory()) {
      const existing = this.dirs.has(rel) ? this.top.lstat(rel) : this.existing(rel);
      let created = false;
      if (!existing) {
        mkdirSync(this.host(rel), st.mode & 0o777);
        this.madeEntry(rel);
        // nothing had it, neither the tree nor the rootfs below
        this.dirs.add(rel);
        this.fresh.add(rel);
        created = true;
      } else if (!existing.isDirectory()) throw fail(`cannot copy to non-directory: /${rel}`);
      else this.copyUp(rel);
      for (const n of src.readdir(srcRel))
        this.copyEntry(src, srcRel ? `${srcRel}/${n}` : n, rel ? `${rel}/${n}` : n, o, true, name ? `${name}/${n}` : n);
      if (created || overwriteMeta) {
        this.setInfo(rel, st, this.ownerFor(st, o), this.modeFor(st, o));
        this.copyXattrs(src, srcRel, rel, read);
      } else utimesSync(this.host(rel), st.atimeMs / 1000, st.mtimeMs / 1000);
      return;
    }
    this.clearForFile(rel);
    if (st.isFile()) {
      this.copyFile(src, srcRel, st, rel, o, read);
      this.copyXattrs(src, srcRel, rel, read);
      return;
    }
    if (st.isSymbolicLink()) {
      symlinkSync(src.readlink(srcRel), this.host(rel));
      this.madeEntry(rel);
    } else if (st.isFIFO() || st.isCharacterDevice() || st.isBlockDevice()) {
      const type = st.isFIFO() ? 0o010000 : st.isCharacterDevice() ? 0o020000 : 0o060000;
      native().mknod(
        this.host(rel),
        type | (st.mode & 0o7777),
        (st.rdev >> 8) & 0xfff,
        (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
      );
      this.madeEntry(rel);
    } else return; // sockets are not copied
    this.setInfo(rel, st, this.ownerFor(st, o), this.modeFor(st, o));
    this.copyXattrs(src, srcRel, rel, read);
  }
}

/**
 * Copy one source (as matched: `path` in `src`, its symlinks followed) to
 * `dest` (absolute, a trailing slash meaning a directory), as fsutil's Copy
 * with CopyDirContents and FollowLinks.
 */
export function copySource(w: TreeWriter, src: FsView, path: string, dest: string, o: CopyOptions): void {
  // the paths below are looked up on the disk: what an earlier source made must be there
  w.settle();
  const dirMode = typeof o.chmod === 'number' ? o.chmod : 0o755;
  const trimmed = dest.replace(/\/+$/, '');
  const ensure = dest.endsWith('/') ? trimmed : posix.dirname(trimmed);
  if (ensure && ensure !== '/' && ensure !== '.') w.mkdirAll(resolveIn(w.merged, ensure, true), dirMode, o.chown);
  const destRel = resolveIn(w.merged, trimmed, true);
  const srcRel = resolveIn(src, path, true);
  const fiSrc = src.lstat(srcRel);
  if (!fiSrc) throw fail(`"${path}": not found`);
  const fiDest = w.merged.lstat(destRel);
  let target = destRel;
  if (!fiSrc.isDirectory() && fiDest?.isDirectory()) target = posix.join(destRel, posix.basename(path) || '');
  const parent = fiSrc.isDirectory() && !fiDest ? target : posix.dirname(target) === '.' ? '' : posix.dirname(target);
  if (parent) w.mkdirAll(parent, dirMode, o.chown);
  if (target === '' && !fiSrc.isDirectory()) throw fail(`cannot replace to directory / with file`);
  w.copyEntry(src, srcRel, target, o, false);
}
