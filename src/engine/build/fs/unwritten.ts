/**
 * A COPY's files whose bytes the checksum read, kept in memory until the
 * layer's tar is written: the tar takes them from here (their attributes are
 * the writer's to give), and they are written into the tree only when the
 * store does not have that layer in full already (a `--no-cache` rebuild of
 * the same files writes none, and so deletes none afterwards). Written, each
 * is what the copy would have made at once: the same bytes, owner, mode and
 * times. A directory's mtime becomes the present when it receives its first
 * (what making the file would have done), and the directories keep the
 * times the tar saw when the files are written.
 */
import {
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lstatSync,
  openSync,
  utimesSync,
  writeSync,
  constants as C,
  type BigIntStats,
} from 'node:fs';
import { join, posix } from 'node:path';
import { native } from '../../native.js';

/** The owner open() gives a new file (outside a set-group-ID directory). */
const EUID = process.geteuid?.() ?? -1;
const EGID = process.getegid?.() ?? -1;

/** Whether a new file needs a chown to get this owner: not when open() gave it already. */
const needsChown = (owner: { uid: number; gid: number }, setgidDir: boolean): boolean =>
  owner.uid !== EUID || owner.gid !== EGID || setgidDir;

/** Create the file at path (which must not exist) with data, its owner, mode and times. */
export function writeNewFile(
  path: string,
  data: Buffer,
  mode: number,
  owner: { uid: number; gid: number },
  setgidDir: boolean,
  atime: number,
  mtime: number,
): void {
  const fd = openSync(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    // no chown when the file already has its owner: this process's, in a directory without
    // the set-group-ID bit (the mode is always set: the umask is the process's, which another
    // part of it may change for a moment)
    if (needsChown(owner, setgidDir)) fchownSync(fd, owner.uid, owner.gid);
    fchmodSync(fd, mode);
    futimesSync(fd, atime, mtime);
  } finally {
    closeSync(fd);
  }
}

/** What the tar needs of an entry's lstat (node:fs BigIntStats's fields and type tests). */
class FileStat {
  readonly dev = -1n;
  readonly nlink = 1n;
  readonly rdev = 0n;
  constructor(
    readonly ino: bigint,
    readonly mode: bigint,
    readonly uid: bigint,
    readonly gid: bigint,
    readonly size: bigint,
    readonly mtimeMs: bigint,
  ) {}
  isFile(): boolean {
    return true;
  }
  isDirectory(): boolean {
    return false;
  }
  isSymbolicLink(): boolean {
    return false;
  }
  isCharacterDevice(): boolean {
    return false;
  }
  isBlockDevice(): boolean {
    return false;
  }
  isFIFO(): boolean {
    return false;
  }
  isSocket(): boolean {
    return false;
  }
}

interface File {
  data: Buffer;
  mode: number;
  uid: number;
  gid: number;
  atime: number;
  mtime: number;
  st: FileStat;
}

/** The seconds futimes gives a file for `s` (libuv: whole seconds down, nanoseconds rounded), as a bigint lstat's mtimeMs. */
function mtimeMsOf(s: number): bigint {
  const sec = Math.floor(s);
  const nsec = Math.min(999_999_999, Math.max(0, Math.round((s - sec) * 1e9)));
  return BigInt(sec) * 1000n + BigInt(Math.floor(nsec / 1e6));
}

export class UnwrittenFiles {
  private readonly files = new Map<string, File>();
  private readonly byDir = new Map<string, Map<string, File>>();
  private next = 1n;

  /** tree: where the writer makes the tree (the files' directories are there now). */
  constructor(private readonly tree: string) {}

  get size(): number {
    return this.files.size;
  }

  has(rel: string): boolean {
    return this.files.has(rel);
  }

  /**
   * Whether a file with these times can be kept here: one whose mtime the
   * kernel keeps as given (from 1970 to 2038, what every file system
   * holds; Node gives a negative time the present instead), so the tar says
   * what the file will.
   */
  static fits(mtime: number): boolean {
    return mtime >= 0 && mtime < 2 ** 31;
  }

  add(
    rel: string,
    data: Buffer,
    mode: number,
    owner: { uid: number; gid: number },
    atime: number,
    mtime: number,
  ): void {
    const st = new FileStat(
      this.next++,
      BigInt(0o100000 | mode),
      BigInt(owner.uid),
      BigInt(owner.gid),
      BigInt(data.length),
      mtimeMsOf(mtime),
    );
    const f: File = { data, mode, uid: owner.uid, gid: owner.gid, atime, mtime, st };
    this.files.set(rel, f);
    const dir = posix.dirname(rel);
    const d = dir === '.' ? '' : dir;
    let names = this.byDir.get(d);
    if (!names) {
      this.byDir.set(d, (names = new Map()));
      // a file made in a directory changes its mtime to the present: the tar sees what a file
      // written now would have left (a directory the copy gives its times sets them after this)
      const host = d ? join(this.tree, d) : this.tree;
      utimesSync(host, lstatSync(host).atimeMs / 1000, Date.now() / 1000);
    }
    names.set(rel.slice(d ? d.length + 1 : 0), f);
  }

  /** The files kept for directory `dir` of the tree, as the tar's walk lists them. */
  readonly inDir = (dir: string): [string, BigIntStats][] | undefined => {
    const names = this.byDir.get(dir);
    // the walk reads only the fields FileStat has
    return names && [...names].map(([n, f]) => [n, f.st as unknown as BigIntStats]);
  };

  /**
   * Write every file into the tree at `base` (where the tree is now), one directory at a
   * time, keeping that directory's times as they were; nothing is kept after.
   */
  write(base: string): void {
    const dirs = this.dirsAt(base);
    for (const d of dirs)
      for (const [name, f] of d.names) writeNewFile(join(d.host, name), f.data, f.mode, f, d.setgid, f.atime, f.mtime);
    this.done(dirs);
  }

  /**
   * What write() does, off the caller's thread: the directories in `batches` groups of about as
   * many files each, every group written by the addon on a thread of libuv's pool at once (on
   * two cores, two file systems calls at a time instead of one), then each directory's times
   * put back. The store's tree is this process's own until it is committed.
   */
  async writeAll(base: string, batches = 2): Promise<void> {
    const dirs = this.dirsAt(base);
    const groups = Array.from({ length: Math.max(1, batches) }, () => ({ count: 0, dirs: [] as typeof dirs }));
    for (const d of [...dirs].sort((a, b) => b.names.length - a.names.length)) {
      const g = groups.reduce((min, x) => (x.count < min.count ? x : min));
      g.dirs.push(d);
      g.count += d.names.length;
    }
    await Promise.all(
      groups
        .filter((g) => g.count)
        .map((g) => {
          const meta = new Float64Array(g.count * 7);
          const datas: Buffer[] = [];
          let paths = '';
          let i = 0;
          for (const d of g.dirs)
            for (const [name, f] of d.names) {
              paths += join(d.host, name) + '\0';
              datas.push(f.data);
              const chown = needsChown(f, d.setgid) ? 1 : 0;
              meta.set([f.data.length, f.mode, f.uid, f.gid, chown, f.atime, f.mtime], i++ * 7);
            }
          return native().writeFilesAsync(paths, Buffer.concat(datas), meta);
        }),
    );
    this.done(dirs);
  }

  /** Each directory that receives files, under base, with its lstat before they are written. */
  private dirsAt(base: string) {
    return [...this.byDir].map(([dir, names]) => {
      const host = dir ? join(base, dir) : base;
      const before = lstatSync(host, { bigint: true });
      return { host, before, setgid: (before.mode & 0o2000n) !== 0n, names: [...names] };
    });
  }

  /** The directories' times put back as they were before the files were written; nothing is kept after. */
  private done(dirs: { host: string; before: BigIntStats }[]): void {
    // whole microseconds, as the kernel had them (libuv keeps microseconds, cutting the rest)
    const us = (t: bigint) => (Number(t / 1000n) + 0.5) / 1e6;
    for (const d of dirs) utimesSync(d.host, us(d.before.atimeNs), us(d.before.mtimeNs));
    this.files.clear();
    this.byDir.clear();
  }
}
