/**
 * What a build's result depended on, gathered while it runs (when the
 * request asks for it) so that a build replay record can be written
 * (record.ts): the host files it read or looked for, the tags its base
 * images were found by, every step's cache key and the layer it gave, and
 * whether each came from the cache. Anything a record cannot check again by
 * looking at the store and the files' metadata (a pull, a URL, a secret, a
 * context from stdin) makes the build unreplayable, with the reason.
 */
import type { Stats } from 'node:fs';

export interface BuildDepends {
  /** When the build began (ms since the epoch): nothing it depends on may have changed since. */
  start: number;
  /** Why no record may be written for this build; absent when one may. */
  unreplayable?: string;
  /** Every step's result came from the cache. */
  allCached: boolean;
  /** Directories whose stat (following links) the result depends on: the context, the Dockerfile's. */
  dirs: string[];
  /** Host paths whose lstat the result depends on, there or not (context entries, with their directories). */
  paths: string[];
  /**
   * Beside paths, the lstat the build took of each, when it took one: [dev, ino, mode, size,
   * mtime ms, ctime ms] as Node has them, null when it was not there, false when not taken.
   */
  seen?: (StatSeen | null | false)[];
  /** Host files read following links (the Dockerfile, .dockerignore): each must be a plain file or absent. */
  files: string[];
  /** [tag, image ID] of each base image (FROM, COPY --from), as the store resolved it. */
  bases: [string, string][];
  /** [cache key, chain ID] of each step, in the order they finished. */
  steps: [string, string][];
  /** The image and the tags the build set (normalized). */
  image: string;
  tags: string[];
}

export type StatSeen = [number, number, number, number, number, number];

/** Add rel and every directory above it (relative, without the root) to `out`. */
function addWithParents(out: Set<string>, rel: string): void {
  for (let r = rel; r && !out.has(r);) {
    out.add(r);
    const slash = r.lastIndexOf('/');
    r = slash < 0 ? '' : r.slice(0, slash);
  }
}

export class DependsTracker {
  private why: string | null = null;
  private cachedAll = true;
  private readonly bases = new Map<string, string>();
  private readonly steps: [string, string][] = [];
  private contextDir = '';
  private files: string[] = [];
  private touched: Set<string> | null = null;
  private seen: ReadonlyMap<string, Stats | null> | null = null;

  constructor(readonly start: number) {}

  /** The first reason wins. */
  unreplayable(reason: string): void {
    this.why ??= reason;
  }

  context(
    dir: string,
    hostFiles: string[] | null,
    touched: Set<string>,
    seen: ReadonlyMap<string, Stats | null> | null = null,
  ): void {
    if (!hostFiles) return this.unreplayable('the context or the Dockerfile is not a local file');
    this.contextDir = dir;
    this.files = hostFiles;
    this.touched = touched;
    this.seen = seen;
  }

  base(tag: string | null, id: string): void {
    if (!tag) return this.unreplayable('a base image is named by ID or digest');
    const had = this.bases.get(tag);
    if (had && had !== id) return this.unreplayable('a base tag moved during the build');
    this.bases.set(tag, id);
  }

  step(key: string, chain: string, cached: boolean): void {
    this.steps.push([key, chain]);
    if (!cached) this.cachedAll = false;
  }

  result(image: string, tags: string[]): BuildDepends {
    const rels = new Set<string>();
    for (const rel of this.touched ?? []) addWithParents(rels, rel);
    const paths = [...rels].map((r) => `${this.contextDir}/${r}`);
    const seen = this.seen;
    const stats = seen
      ? [...rels].map((r): StatSeen | null | false => {
          const st = seen.get(r);
          if (st === undefined) return false;
          return st && [st.dev, st.ino, st.mode, st.size, st.mtimeMs, st.ctimeMs];
        })
      : null;
    // a file added to or removed from a directory the build looked in changes that directory
    const dirs = new Set<string>([this.contextDir]);
    for (const f of this.files) dirs.add(f.slice(0, f.lastIndexOf('/')) || '/');
    return {
      start: this.start,
      ...(this.why ? { unreplayable: this.why } : {}),
      allCached: this.cachedAll,
      dirs: [...dirs],
      paths,
      ...(stats ? { seen: stats } : {}),
      files: this.files,
      bases: [...this.bases],
      steps: this.steps,
      image,
      tags,
    };
  }
}
