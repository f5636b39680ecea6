/**
 * Extracting a tar into an existing directory (docker cp): parents are
 * created, existing files replaced (a directory is never replaced by a
 * non-directory, nor the reverse, as docker refuses), and nothing is ever
 * written through a symbolic link that the tar itself created. Owners are
 * kept only when asked. Paths are taken as they come: callers that extract
 * into a tree someone else can change run this chrooted (fs-helper.ts).
 */
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  writeSync,
  constants as C,
} from 'node:fs';
import { join, posix } from 'node:path';
import { BerthError, conflict } from '../errors.js';
import { native } from '../native.js';
import { readTar } from '../tar/reader.js';
import { entryPath } from './paths.js';

export interface ExtractOptions {
  /** Rename the first path component (docker cp's destination naming). */
  renameTop?: { from: string; to: string };
  /** Keep the tar's uid/gid (cp -a); otherwise files belong to `owner`. */
  keepOwners?: boolean;
  owner?: { uid: number; gid: number };
}

const bad = (msg: string) => new BerthError('INVALID_ARCHIVE', msg);

export async function extractTar(
  input: AsyncIterable<Buffer>,
  dest: string,
  opts: ExtractOptions = {},
): Promise<number> {
  const created = new Set<string>(); // symlinks this extraction made
  const dirTimes: [string, number][] = [];
  const root = process.getuid?.() === 0;
  const shownDest = posix.normalize(dest).replace(/(.)\/$/, '$1');
  let count = 0;
  for await (const e of readTar(input)) {
    const h = e.header;
    let rel = entryPath(h.name);
    if (rel === null) throw bad(`archive entry "${h.name}" points outside the destination`);
    if (rel === '') continue;
    if (opts.renameTop) {
      const [first, ...rest] = rel.split('/');
      if (first === opts.renameTop.from) rel = [opts.renameTop.to, ...rest].join('/');
    }
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (created.has(p)) throw bad(`archive entry "${h.name}" passes through the symbolic link "${p}" it created`);
    }
    const abs = join(dest, rel);
    mkdirSync(join(dest, posix.dirname(rel)), { recursive: true });
    let existing: ReturnType<typeof lstatSync> | null = null;
    try {
      existing = lstatSync(abs);
    } catch {
      existing = null;
    }
    if (existing) {
      // docker cp's NoOverwriteDirNonDir: a directory is never swapped for a file, nor a file for a directory
      const isDir = existing.isDirectory();
      if (isDir && h.type !== 'dir')
        throw conflict(`cannot overwrite directory "${abs}" with non-directory "${shownDest}"`);
      if (!isDir && h.type === 'dir')
        throw conflict(`cannot overwrite non-directory "${abs}" with directory "${shownDest}"`);
      if (!isDir) rmSync(abs, { force: true });
    }
    created.delete(rel);
    const uid = opts.keepOwners ? h.uid : (opts.owner?.uid ?? 0);
    const gid = opts.keepOwners ? h.gid : (opts.owner?.gid ?? 0);
    switch (h.type) {
      case 'dir':
        if (!existing?.isDirectory()) mkdirSync(abs);
        if (root) lchownSync(abs, uid, gid);
        chmodSync(abs, h.mode & 0o7777);
        dirTimes.push([abs, h.mtime]);
        break;
      case 'file': {
        const fd = openSync(abs, C.O_WRONLY | C.O_CREAT | C.O_TRUNC | C.O_NOFOLLOW, 0o600);
        try {
          for await (const c of e.body) {
            let off = 0;
            while (off < c.length) off += writeSync(fd, c, off, c.length - off);
          }
          if (root) fchownSync(fd, uid, gid);
          fchmodSync(fd, h.mode & 0o7777);
          futimesSync(fd, h.mtime, h.mtime);
        } finally {
          closeSync(fd);
        }
        break;
      }
      case 'symlink':
        symlinkSync(h.linkname, abs);
        created.add(rel);
        if (root) lchownSync(abs, uid, gid);
        lutimesSync(abs, h.mtime, h.mtime);
        break;
      case 'link': {
        let target = entryPath(h.linkname);
        if (target === null || target === '') throw bad(`archive entry "${h.name}" links outside the destination`);
        if (opts.renameTop) {
          const [first, ...rest] = target.split('/');
          if (first === opts.renameTop.from) target = [opts.renameTop.to, ...rest].join('/');
        }
        const tparts = target.split('/');
        for (let i = 1; i <= tparts.length; i++) {
          if (created.has(tparts.slice(0, i).join('/')))
            throw bad(`archive entry "${h.name}" links through a symbolic link it created`);
        }
        linkSync(join(dest, target), abs);
        break;
      }
      case 'char':
      case 'block':
      case 'fifo': {
        const type = h.type === 'char' ? 0o020000 : h.type === 'block' ? 0o060000 : 0o010000;
        native().mknod(abs, type | (h.mode & 0o7777), h.devmajor, h.devminor);
        if (root) lchownSync(abs, uid, gid);
        lutimesSync(abs, h.mtime, h.mtime);
        break;
      }
    }
    for (const [k, v] of h.xattrs) {
      try {
        native().lsetxattr(abs, k, v);
      } catch {
        /* xattrs the destination cannot hold are dropped, as docker cp does */
      }
    }
    count++;
  }
  for (const [p, t] of dirTimes.reverse()) lutimesSync(p, t, t);
  return count;
}
