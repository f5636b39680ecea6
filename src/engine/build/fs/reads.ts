/**
 * What a build read of its sources, read once: the checksum that keys a
 * COPY (sources.ts) reads each entry's extended attributes and each file's
 * bytes, and keeps them here by host path, with the entry's lstat, so that
 * the copy into the layer (copy.ts) writes those very bytes and attributes
 * instead of reading the file a second time. The layer then holds exactly
 * what its cache key covers, even when a file changes during the build.
 *
 * Files are opened without following a symbolic link in the last
 * component and checked to be the entry the lstat saw (a file swapped for
 * a link or another file between the two is an error, as in the copy), so
 * nothing read here comes from outside the view. Bytes are kept for files
 * up to PER_FILE, while the build's total stays under BUDGET, and entries
 * up to MAX_ENTRIES; larger files, and entries past that, are read again by
 * the copy, as before.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, constants as C, type Stats } from 'node:fs';
import { BerthError } from '../../errors.js';
import { native } from '../../native.js';

const PER_FILE = 256 * 1024;
const BUDGET = 64 * 1024 * 1024;
/** Entries kept at most (a stat and a few objects each): a context of millions is read as before past that. */
export const MAX_ENTRIES = 1 << 18;
const ARENA = 1 << 20;

/** Extended attributes a copy carries (the overlay's own, SELinux labels and ACLs stay behind). */
const XATTR_SKIP = /^(trusted\.overlay\.|security\.selinux$|system\.)/;

const NONE: [string, Buffer][] = [];

/** The attributes of an entry a copy carries, sorted by name (never to be modified). */
export function xattrsOf(host: string): [string, Buffer][] {
  let names: string[];
  try {
    names = native().llistxattr(host);
  } catch {
    return [];
  }
  if (!names.length) return NONE;
  const out: [string, Buffer][] = [];
  for (const n of names.sort()) {
    if (XATTR_SKIP.test(n)) continue;
    try {
      const v = native().lgetxattr(host, n);
      if (v) out.push([n, v]);
    } catch {
      /* unreadable: not part of the copy either */
    }
  }
  return out;
}

export interface ReadEntry {
  /** The lstat the entry was read with. */
  st: Stats;
  xattrs: [string, Buffer][];
  /** A regular file's sha256 (hex); '' for other types. */
  digest: string;
  /** A regular file's bytes, when kept. */
  data: Buffer | null;
}

const sameEntry = (a: Stats, b: Stats) =>
  a.dev === b.dev &&
  a.ino === b.ino &&
  a.mode === b.mode &&
  a.size === b.size &&
  a.mtimeMs === b.mtimeMs &&
  a.ctimeMs === b.ctimeMs;

const STREAM_BUF = Buffer.allocUnsafe(1 << 20);

/** Node's one-shot hash (from 20.12), a fifth of a Hash object's cost for a small file. */
const oneShot = (crypto as { hash?: (alg: string, data: Buffer, enc: 'hex') => string }).hash;
const sha256Hex = (data: Buffer): string =>
  oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');

export class ReadMemo {
  private readonly entries = new Map<string, ReadEntry>();
  private kept = 0;
  private arena = Buffer.allocUnsafe(0);
  private used = 0;

  constructor(
    private readonly budget = BUDGET,
    private readonly perFile = PER_FILE,
  ) {}

  /**
   * The entry at host (whose lstat is st) read: its attributes and, for a
   * regular file, its digest (and bytes, when they fit). `name` names it in
   * errors. A second read of an unchanged entry is answered from the memo.
   */
  read(host: string, st: Stats, name: string): ReadEntry {
    const had = this.entries.get(host);
    if (had && sameEntry(had.st, st)) return had;
    const e: ReadEntry = { st, xattrs: xattrsOf(host), digest: '', data: null };
    const keep = !!had || this.entries.size < MAX_ENTRIES;
    if (st.isFile()) this.readFile(host, e, name, keep);
    if (keep) this.entries.set(host, e);
    return e;
  }

  /**
   * What was read at host, for the copy: a regular file only when its
   * bytes were kept (else the copy reads the file itself), any other
   * entry always.
   */
  known(host: string): ReadEntry | null {
    const e = this.entries.get(host);
    return e && (e.data || !e.st.isFile()) ? e : null;
  }

  private slot(size: number): Buffer | null {
    if (size > this.perFile || this.kept + size > this.budget) return null;
    // one byte more than the size: a read that fills it means the file grew
    if (this.used + size + 1 > this.arena.length) {
      this.arena = Buffer.allocUnsafe(Math.max(ARENA, size + 1));
      this.used = 0;
    }
    return this.arena.subarray(this.used, this.used + size + 1);
  }

  private readFile(host: string, e: ReadEntry, name: string, keep: boolean): void {
    const fd = openSync(host, C.O_RDONLY | C.O_NOFOLLOW);
    try {
      const s = fstatSync(fd);
      if (!s.isFile() || s.ino !== e.st.ino || s.dev !== e.st.dev)
        throw new BerthError('INVALID_ARGUMENT', `/${name} changed while it was read`);
      const size = e.st.size;
      const slot = keep ? this.slot(size) : null;
      if (slot) {
        const n = size ? readSync(fd, slot, 0, slot.length, 0) : 0;
        // a short read of a regular file is its end; anything else is a file changing under the build
        if (n === size) {
          const data = slot.subarray(0, size);
          this.used += size;
          this.kept += size;
          e.data = data;
          e.digest = sha256Hex(data);
          return;
        }
      }
      const h = createHash('sha256');
      for (let pos = 0; ;) {
        const n = readSync(fd, STREAM_BUF, 0, STREAM_BUF.length, pos);
        if (n <= 0) break;
        h.update(STREAM_BUF.subarray(0, n));
        pos += n;
      }
      e.digest = h.digest('hex');
    } finally {
      closeSync(fd);
    }
  }
}
