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
import type { Stats } from 'node:fs';
import { posix } from 'node:path';
import { BerthError } from '../../errors.js';
import type { IgnoreMatcher } from '../../../common/dockerignore.js';
import { ReadMemo, type ReadEntry, type ReadItem } from './reads.js';
import { resolveIn, type FsView } from './view.js';

/** Entries walked before their reads start (a chunk's files are read in two batches). */
const CHUNK = 2048;

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

/**
 * The checksum of what a source selects: the followed entry and, for a
 * directory, everything below it (minus `exclude`). The tree is walked
 * first, then its entries read in one go (the files beside the main
 * thread), then hashed in the walk's order. What it reads is kept in
 * `memo` (when given) for the copy.
 */
export async function checksum(
  view: FsView,
  rel: string,
  opts: { owners: boolean; exclude?: IgnoreMatcher | null; memo?: ReadMemo },
): Promise<string> {
  const memo = opts.memo ?? new ReadMemo(0, 0);
  const walked: { r: string; name: string; st: Stats; type: string }[] = [];
  // the entries are read a chunk at a time while the walk goes on (the reads run beside it)
  const parts: Promise<ReadEntry[]>[] = [];
  let chunk: ReadItem[] = [];
  const flush = () => {
    const part = memo.readMany(chunk);
    part.catch(() => {}); // awaited below, in order: the first entry's error is the one thrown
    parts.push(part);
    chunk = [];
  };
  const visit = (r: string, name: string) => {
    const st = view.lstat(r);
    if (!st) return;
    if (name && opts.exclude?.ignores(name)) return;
    const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : st.isFIFO() ? 'p' : 'c';
    walked.push({ r, name, st, type });
    chunk.push({ host: view.hostPath(r), st, name: r });
    if (chunk.length >= CHUNK) flush();
    if (type === 'd') for (const n of view.readdir(r)) visit(r ? `${r}/${n}` : n, name ? `${name}/${n}` : n);
  };
  visit(rel, '');
  flush();
  const reads: ReadEntry[] = [];
  for (const part of parts) for (const e of await part) reads.push(e);
  const h = createHash('sha256');
  for (const [i, { r, name, st, type }] of walked.entries()) {
    const read = reads[i]!;
    const fields = [
      name,
      type,
      (st.mode & 0o7777).toString(8),
      opts.owners ? `${st.uid}:${st.gid}` : '',
      type === 'f' ? String(st.size) : '',
      type === 'l' ? view.readlink(r) : '',
      type === 'c' ? String(st.rdev) : '',
      read.xattrs.map(([k, v]) => `${k}=${v.toString('base64')}`).join(','),
      read.digest,
    ];
    h.update(fields.join('\0') + '\n');
  }
  return h.digest('hex');
}

/** Is the file a tar, plain or compressed (ADD extracts those)? */
export async function isArchive(host: string): Promise<boolean> {
  const { openArchiveStream } = await import('./archive-probe.js');
  return openArchiveStream(host);
}

export const basename = (p: string) => posix.basename(p) || '/';
