/**
 * Read-only views of file trees as a build sees them, behind one small
 * interface: a plain directory (a layer tree, a mounted rootfs), the build
 * context with .dockerignore applied, and a new layer over the rootfs below
 * it. Paths are relative ("a/b", "" for the root) and are resolved inside
 * the view (resolveIn: `..` and absolute symlinks stop at the view's root),
 * so nothing a tree holds can make the build read or write outside it.
 */
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import type { IgnoreMatcher } from '../../../common/dockerignore.js';
import { sortByBytes } from '../../../common/byte-order.js';

export interface FsView {
  /** lstat of a path in the view; null when it is not there (or ignored). */
  lstat(rel: string): Stats | null;
  readlink(rel: string): string;
  /** Names in a directory, byte-sorted. */
  readdir(rel: string): string[];
  /** Where to read the bytes of an entry. */
  hostPath(rel: string): string;
}

const split = (p: string) => p.split('/').filter((c) => c && c !== '.');

/**
 * `path` resolved inside the view, following symbolic links (the last
 * component too when followLast) the way a chroot would: `..` stops at the
 * root, an absolute target restarts at it. Missing components are kept.
 */
export function resolveIn(view: FsView, path: string, followLast: boolean): string {
  let parts = split(path);
  const cur: string[] = [];
  let hops = 0;
  while (parts.length) {
    const c = parts.shift()!;
    if (c === '..') {
      cur.pop();
      continue;
    }
    const next = [...cur, c].join('/');
    const st = view.lstat(next);
    if (st?.isSymbolicLink() && (parts.length || followLast)) {
      if (++hops > 255) throw new BerthError('INVALID_ARGUMENT', `${path}: too many levels of symbolic links`);
      const target = view.readlink(next);
      if (target.startsWith('/')) cur.length = 0;
      parts = [...split(target), ...parts];
      continue;
    }
    cur.push(c);
  }
  return cur.join('/');
}

function lstatOrNull(p: string): Stats | null {
  try {
    // a missing entry is the common case (a new layer's tree, the rootfs below it): no exception made for it
    return lstatSync(p, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** A directory as it is (a single layer tree: its whiteout devices are not files). */
export class DirView implements FsView {
  /** The root as join() normalizes it, for hostPath's plain concatenation ('' for /). */
  private readonly base: string;
  constructor(
    readonly root: string,
    private readonly hideWhiteouts = false,
  ) {
    this.base = join(root, 'x').slice(0, -2);
  }
  lstat(rel: string): Stats | null {
    const st = lstatOrNull(this.hostPath(rel));
    if (st && this.hideWhiteouts && st.isCharacterDevice() && st.rdev === 0) return null;
    return st;
  }
  readlink(rel: string): string {
    return readlinkSync(this.hostPath(rel));
  }
  readdir(rel: string): string[] {
    let names: string[];
    try {
      names = sortByBytes(readdirSync(this.hostPath(rel)));
    } catch {
      return [];
    }
    return this.hideWhiteouts ? names.filter((n) => this.lstat(rel ? `${rel}/${n}` : n)) : names;
  }
  hostPath(rel: string): string {
    if (!rel) return this.root;
    // a walk's clean path (no empty, . or .. part, nor a first one that starts with a dot) is
    // joined as join() would join it, at a fraction of its cost (a build joins one per entry)
    if (rel[0] !== '/' && rel[0] !== '.' && !rel.endsWith('/') && !rel.includes('//') && !rel.includes('/.'))
      return `${this.base}/${rel}`;
    return join(this.root, rel);
  }
}

/** An empty tree (FROM scratch). */
export const EMPTY_VIEW: FsView = {
  lstat: () => null,
  readlink: () => '',
  readdir: () => [],
  hostPath: () => '/nonexistent',
};

/**
 * The build context as BuildKit receives it: ignored entries are not there,
 * except directories that still hold an entry an exception brings back.
 */
export class ContextView extends DirView {
  private readonly visibleDirs = new Map<string, boolean>();
  /**
   * When set, every path the build looked at (lstat, there or not; readdir), relative to the
   * context: what a build replay record depends on (build/replay/record.ts).
   */
  touched: Set<string> | null = null;
  /**
   * With `touched`: the first lstat taken of each path (null: not there), by the view or by a
   * read of it; a record takes these instead of a stat of its own (a change since then shows
   * in a newer ctime all the same).
   */
  seen: Map<string, Stats | null> | null = null;

  constructor(
    root: string,
    private readonly matcher: IgnoreMatcher | null,
  ) {
    super(root);
  }

  private visible(rel: string, st: Stats): boolean {
    if (!rel || !this.matcher || this.matcher.empty) return true;
    if (!this.matcher.ignores(rel)) return true;
    if (!st.isDirectory() || this.matcher.canSkipDir(rel)) return false;
    let v = this.visibleDirs.get(rel);
    if (v === undefined) {
      this.touched?.add(rel);
      v = super.readdir(rel).some((n) => {
        this.touched?.add(`${rel}/${n}`);
        const s = lstatOrNull(this.hostPath(`${rel}/${n}`));
        return s !== null && this.visible(`${rel}/${n}`, s);
      });
      this.visibleDirs.set(rel, v);
    }
    return v;
  }

  private readonly dirOk = new Map<string, boolean>();

  private get filtering(): boolean {
    return !!this.matcher && !this.matcher.empty;
  }

  /** A directory on the way to an entry: there and not ignored (remembered). */
  private ancestorOk(p: string): boolean {
    let ok = this.dirOk.get(p);
    if (ok === undefined) {
      const st = lstatOrNull(this.hostPath(p));
      ok = !!st && this.visible(p, st);
      this.dirOk.set(p, ok);
    }
    return ok;
  }

  private remember(rel: string, st: Stats | null): Stats | null {
    // bounded: past that, a record stats the rest itself
    if (this.seen && this.seen.size < 1 << 18 && !this.seen.has(rel)) this.seen.set(rel, st);
    return st;
  }

  override lstat(rel: string): Stats | null {
    this.touched?.add(rel);
    if (!this.filtering) return this.remember(rel, super.lstat(rel));
    const parts = split(rel);
    for (let i = 1; i < parts.length; i++) if (!this.ancestorOk(parts.slice(0, i).join('/'))) return null;
    const st = this.remember(rel, lstatOrNull(this.hostPath(rel)));
    return st && this.visible(parts.join('/'), st) ? st : null;
  }

  override readdir(rel: string): string[] {
    this.touched?.add(rel);
    const names = super.readdir(rel);
    return this.filtering ? names.filter((n) => this.lstat(rel ? `${rel}/${n}` : n) !== null) : names;
  }
}

/** A new layer's tree over the rootfs below it (the destination of COPY). */
export class MergedView implements FsView {
  private readonly top: DirView;
  constructor(
    top: string,
    private readonly lower: FsView,
  ) {
    this.top = new DirView(top);
  }
  private pick(rel: string): FsView {
    return this.top.lstat(rel) ? this.top : this.lower;
  }
  lstat(rel: string): Stats | null {
    return this.top.lstat(rel) ?? this.lower.lstat(rel);
  }
  readlink(rel: string): string {
    return this.pick(rel).readlink(rel);
  }
  readdir(rel: string): string[] {
    return sortByBytes([...new Set([...this.top.readdir(rel), ...this.lower.readdir(rel)])]);
  }
  hostPath(rel: string): string {
    return this.pick(rel).hostPath(rel);
  }
}

/** stat following symlinks inside the view (os.Stat), null when missing. */
export function statIn(view: FsView, rel: string): Stats | null {
  return view.lstat(resolveIn(view, rel, true));
}
