/**
 * What a build read of its sources, read once: the checksum that keys a
 * COPY (sources.ts) reads each entry's extended attributes and each file's
 * bytes, and keeps them here by host path, with the entry's lstat, so that
 * the copy into the layer (copy.ts) writes those very bytes and attributes
 * instead of reading the file a second time. The layer then holds exactly
 * what its cache key covers, even when a file changes during the build.
 *
 * A checksum reads its entries with readMany: the regular files in
 * batches on libuv's pool (native/addon/read-files.c: open, compare, read,
 * sha256 there), beside the walk; read() is the one-entry form.
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

/** An entry to read: its host path, the lstat the walk saw and its name in errors. */
export interface ReadItem {
  host: string;
  st: Stats;
  name: string;
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
   * The entries read, as read() reads each, in one go: the regular files
   * beside the main thread (native readFilesAsync, in two batches on
   * libuv's pool), every other entry here. The same entries, digests,
   * kept bytes and errors as read() one after the other.
   */
  async readMany(items: ReadItem[]): Promise<ReadEntry[]> {
    const out: ReadEntry[] = new Array(items.length);
    const files: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const { host, st, name } = items[i]!;
      const had = this.entries.get(host);
      if (had && sameEntry(had.st, st)) out[i] = had;
      else if (!st.isFile()) out[i] = this.read(host, st, name);
      else files.push(i);
    }
    if (!files.length) return out;
    // the entries kept as read() keeps them: those before MAX_ENTRIES, and any seen before
    let room = MAX_ENTRIES - this.entries.size;
    const keep = files.map((i) => !!this.entries.get(items[i]!.host) || room-- > 0);
    const half = files.length < 64 ? files.length : files.length >> 1;
    const batches = [files.slice(0, half), files.slice(half)].filter((b) => b.length);
    const keeps = [keep.slice(0, half), keep.slice(half)];
    const runs = batches.map((b, j) =>
      this.readBatch(
        b.map((i) => items[i]!),
        keeps[j]!,
      ),
    );
    const done = await Promise.allSettled(runs);
    for (const [j, d] of done.entries()) {
      if (d.status === 'rejected')
        throw this.readError(
          d.reason,
          batches[j]!.map((i) => items[i]!),
        );
      for (const [k, e] of d.value.entries()) {
        const i = batches[j]![k]!;
        out[i] = e;
        if (keeps[j]![k]) this.entries.set(items[i]!.host, e);
      }
    }
    return out;
  }

  /** One batch of files read natively; the entries in order. */
  private async readBatch(items: ReadItem[], keep: boolean[]): Promise<ReadEntry[]> {
    const n = items.length;
    const meta = new Float64Array(n * 6);
    let arenaLen = 0;
    for (let k = 0; k < n; k++) {
      const st = items[k]!.st;
      const size = st.size;
      const kept = keep[k]! && size <= this.perFile && this.kept + size <= this.budget;
      if (kept) this.kept += size;
      meta.set([st.dev, st.ino, st.mode, size, kept ? 1 : 0, arenaLen], k * 6);
      // one byte more than the size: a read that fills it means the file grew
      if (kept) arenaLen += size + 1;
    }
    const arena = Buffer.allocUnsafe(arenaLen);
    const res = new Float64Array(n * 2);
    const digests = Buffer.allocUnsafe(n * 32);
    const paths = items.map((x) => x.host).join('\0') + '\0';
    await native().readFilesAsync(paths, meta, arena, res, digests);
    const entries: ReadEntry[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const { host, st } = items[k]!;
      const at = meta[k * 6 + 5]!;
      let data: Buffer | null = null;
      if (res[k * 2] === 1) data = arena.subarray(at, at + st.size);
      else if (meta[k * 6 + 4] === 1) this.kept -= st.size;
      entries[k] = {
        st,
        xattrs: res[k * 2 + 1] === 1 ? xattrsOf(host) : NONE,
        digest: digests.toString('hex', k * 32, k * 32 + 32),
        data,
      };
    }
    return entries;
  }

  /** A batch's failure as read() reports it: a file not the entry the walk saw is named. */
  private readError(e: unknown, items: ReadItem[]): unknown {
    const err = e as NodeJS.ErrnoException;
    if (err?.syscall !== 'changed') return e;
    const name = items.find((x) => x.host === err.path)?.name ?? err.path;
    return new BerthError('INVALID_ARGUMENT', `/${name} changed while it was read`);
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
