/**
 * COPY and ADD sources inside a view (the context, a stage, an image):
 * wildcards as BuildKit resolves them (the part before the first wildcard
 * followed inside the view, then filepath.Match over the entries below it,
 * a matched directory not entered), and the content checksum that keys the
 * cache: names, types, modes, owners (not for the context, whose files are
 * copied as root's), sizes, link targets, extended attributes and contents,
 * never modification times, as BuildKit's checksums. Pure reads.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import { BerthError } from '../../errors.js';
import { native } from '../../native.js';
import type { IgnoreMatcher } from '../../../common/dockerignore.js';
import { resolveIn, type FsView } from './view.js';

export const hasWildcard = (p: string) => /(^|[^\\])[*?[]/.test(p);

/** Go's filepath.Match pattern as a regular expression (one path, `*` and `?` not crossing `/`). */
export function matchRegex(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new BerthError('INVALID_ARGUMENT', `syntax error in pattern: ${pattern}`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/\\/g, '\\\\');
      else cls = cls.replace(/\\/g, '\\\\');
      re += `[${cls}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$', 's');
}

/** The entries a source path names: itself, or the matches of its wildcards (none is not an error). */
export function resolveWildcards(view: FsView, path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const first = parts.findIndex(hasWildcard);
  if (first < 0) return ['/' + parts.join('/')];
  const base = resolveIn(view, parts.slice(0, first).join('/'), true);
  const rest = parts.slice(first);
  const re = matchRegex(rest.join('/'));
  const out: string[] = [];
  const walk = (rel: string, depth: number) => {
    for (const name of view.readdir(base ? (rel ? `${base}/${rel}` : base) : rel)) {
      const r = rel ? `${rel}/${name}` : name;
      const st = view.lstat(base ? `${base}/${r}` : r);
      if (!st) continue;
      if (re.test(r)) {
        out.push('/' + [...parts.slice(0, first), r].join('/'));
        continue;
      }
      if (st.isDirectory() && depth + 1 < rest.length) walk(r, depth + 1);
    }
  };
  if (view.lstat(base)?.isDirectory() ?? base === '') walk('', 0);
  return out;
}

export class SourceNotFound extends BerthError {
  constructor(readonly path: string) {
    super('NOT_FOUND', `"${path}": not found`);
  }
}

/** The source followed to what it names; throws SourceNotFound when it is not in the view. */
export function followSource(view: FsView, path: string): string {
  const rel = resolveIn(view, path, true);
  if (!view.lstat(rel)) throw new SourceNotFound(path);
  return rel;
}

const XATTR_SKIP = /^(trusted\.overlay\.|security\.selinux$|system\.)/;

export function xattrsOf(host: string): [string, Buffer][] {
  let names: string[];
  try {
    names = native().llistxattr(host);
  } catch {
    return [];
  }
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

const BUF = Buffer.allocUnsafe(1 << 20);

function fileDigest(host: string): string {
  const h = createHash('sha256');
  const fd = openSync(host, 'r');
  try {
    for (;;) {
      const n = readSync(fd, BUF, 0, BUF.length, null);
      if (n <= 0) break;
      h.update(BUF.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/**
 * The checksum of what a source selects: the followed entry and, for a
 * directory, everything below it (minus `exclude`).
 */
export function checksum(view: FsView, rel: string, opts: { owners: boolean; exclude?: IgnoreMatcher | null }): string {
  const h = createHash('sha256');
  const visit = (r: string, name: string) => {
    const st = view.lstat(r);
    if (!st) return;
    if (name && opts.exclude?.ignores(name)) return;
    const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : st.isFIFO() ? 'p' : 'c';
    const host = view.hostPath(r);
    const fields = [
      name,
      type,
      (st.mode & 0o7777).toString(8),
      opts.owners ? `${st.uid}:${st.gid}` : '',
      type === 'f' ? String(st.size) : '',
      type === 'l' ? view.readlink(r) : '',
      type === 'c' ? String(st.rdev) : '',
      xattrsOf(host)
        .map(([k, v]) => `${k}=${v.toString('base64')}`)
        .join(','),
      type === 'f' ? fileDigest(host) : '',
    ];
    h.update(fields.join('\0') + '\n');
    if (type === 'd') for (const n of view.readdir(r)) visit(r ? `${r}/${n}` : n, name ? `${name}/${n}` : n);
  };
  visit(rel, '');
  return h.digest('hex');
}

/** Is the file a tar, plain or compressed (ADD extracts those)? */
export async function isArchive(host: string): Promise<boolean> {
  const { openArchiveStream } = await import('./archive-probe.js');
  return openArchiveStream(host);
}

export const basename = (p: string) => posix.basename(p) || '/';
