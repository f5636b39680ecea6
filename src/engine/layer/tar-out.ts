/**
 * Tars out of trees: a layer from an overlay upper dir (whiteouts and opaque
 * markers in OCI form, as docker's overlay2 driver writes them) and a flat
 * tar of a plain tree (export, cp).
 */
import { readlinkSync } from 'node:fs';
import { native } from '../native.js';
import { newHeader, type EntryType, type TarHeader } from '../tar/header.js';
import type { TarWriter } from '../tar/writer.js';
import { OPAQUE_MARKER, WHITEOUT_PREFIX } from './paths.js';
import { walkTree, type WalkEntry, type WalkOptions } from './walk.js';

function typeOf(e: WalkEntry): EntryType | null {
  const s = e.st;
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isCharacterDevice()) return 'char';
  if (s.isBlockDevice()) return 'block';
  if (s.isFIFO()) return 'fifo';
  return null; // sockets are not archived
}

function xattrsOf(abs: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let names: string[] = [];
  try {
    names = native().llistxattr(abs);
  } catch {
    return out;
  }
  for (const n of names) {
    if (n.startsWith('trusted.overlay.')) continue;
    try {
      const v = native().lgetxattr(abs, n);
      if (v) out.set(n, v);
    } catch {
      /* unreadable: skip */
    }
  }
  return out;
}

function headerOf(e: WalkEntry, name: string, type: EntryType, xattrs?: ReadonlyMap<string, Buffer>): TarHeader {
  const rdev = Number(e.st.rdev);
  return newHeader({
    name,
    type,
    mode: Number(e.st.mode) & 0o7777,
    uid: Number(e.st.uid),
    gid: Number(e.st.gid),
    size: type === 'file' ? Number(e.st.size) : 0,
    mtime: Number(e.st.mtimeMs / 1000n),
    linkname: type === 'symlink' ? readlinkSync(e.abs) : '',
    devmajor: type === 'char' || type === 'block' ? (rdev >> 8) & 0xfff : 0,
    devminor: type === 'char' || type === 'block' ? (rdev & 0xff) | ((rdev >> 12) & 0xfff00) : 0,
    xattrs: xattrs ? new Map(xattrs) : xattrsOf(e.abs),
  });
}

interface TreeTarOptions {
  exclude?: (rel: string) => boolean;
  /** Name prefix for every entry (cp: the copied directory's name). */
  prefix?: string;
  signal?: AbortSignal;
  /** Called for each entry before it is written (build: sizes, cleaning an upper dir for reuse as a tree). */
  onEntry?: (e: WalkEntry) => void;
  /**
   * What the caller knows an entry holds, having just made it (build: a COPY's tree): its
   * extended attributes (every one, the overlay's own aside) and a file's bytes, used
   * instead of reading them back (so a known directory has no opaque marker). A file whose
   * size differs is read.
   */
  known?: (rel: string) => { data?: Buffer; xattrs: ReadonlyMap<string, Buffer> } | undefined;
  /** Files not on the disk yet, by directory (walk.ts WalkOptions.extra); known() has each one's bytes. */
  unwritten?: WalkOptions['extra'];
}

async function writeEntries(tar: TarWriter, root: string, opts: TreeTarOptions, overlay: boolean): Promise<void> {
  const links = new Map<string, string>(); // dev:ino -> first name
  const prefix = opts.prefix ? opts.prefix.replace(/\/+$/, '') + '/' : '';
  const walk: WalkOptions = {};
  if (opts.exclude) walk.exclude = opts.exclude;
  if (opts.unwritten) walk.extra = opts.unwritten;
  for (const e of walkTree(root, walk)) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    opts.onEntry?.(e);
    const type = typeOf(e);
    if (!type) continue;
    const name = prefix + e.rel;
    const known = opts.known?.(e.rel);
    if (overlay && type === 'char' && e.st.rdev === 0n) {
      const slash = name.lastIndexOf('/');
      const wh = `${name.slice(0, slash + 1)}${WHITEOUT_PREFIX}${name.slice(slash + 1)}`;
      await tar.add(newHeader({ name: wh, type: 'file', mode: 0o600, mtime: Number(e.st.mtimeMs / 1000n) }));
      continue;
    }
    if (type === 'file' && e.st.nlink > 1n) {
      const key = `${e.st.dev}:${e.st.ino}`;
      const first = links.get(key);
      if (first !== undefined) {
        const h = headerOf(e, name, 'link', known?.xattrs);
        h.linkname = first;
        h.size = 0;
        await tar.add(h);
        continue;
      }
      links.set(key, name);
    }
    const h = headerOf(e, name, type, known?.xattrs);
    const data = known?.data?.length === h.size ? known.data : undefined;
    await tar.add(h, type === 'file' ? (data ?? { path: e.abs }) : undefined, opts.signal);
    if (overlay && type === 'dir' && !known) {
      let opaque: Buffer | null = null;
      try {
        opaque = native().lgetxattr(e.abs, 'trusted.overlay.opaque');
      } catch {
        opaque = null;
      }
      if (opaque?.toString() === 'y') {
        await tar.add(
          newHeader({
            name: `${name}/${OPAQUE_MARKER}`,
            type: 'file',
            mode: h.mode & 0o777,
            uid: h.uid,
            gid: h.gid,
            mtime: h.mtime,
          }),
        );
      }
    }
  }
}

/** A layer tar from an overlay upper dir. Does not finish the writer. */
export function tarFromUpper(tar: TarWriter, upperDir: string, opts: TreeTarOptions = {}): Promise<void> {
  return writeEntries(tar, upperDir, opts, true);
}

/** A flat tar of a plain tree (no whiteout conversion). Does not finish the writer. */
export function tarFromTree(tar: TarWriter, dir: string, opts: TreeTarOptions = {}): Promise<void> {
  return writeEntries(tar, dir, opts, false);
}
