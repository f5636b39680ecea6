/**
 * Walking a directory tree for tars and diffs: pre-order depth first with
 * names in byte order (Go's filepath.Walk), never following symlinks.
 */
import { lstatSync, readdirSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { sortByBytes } from '../../common/byte-order.js';

export interface WalkEntry {
  /** Path relative to the root, "/"-separated, no leading slash. */
  rel: string;
  abs: string;
  st: BigIntStats;
}

export interface WalkOptions {
  exclude?: (rel: string) => boolean;
  /**
   * Entries of directory `rel` that are not on the disk yet, with their lstat as they will
   * have it (build: the files a COPY writes after its tar, fs/unwritten.ts).
   */
  extra?: (rel: string) => [string, BigIntStats][] | undefined;
}

export function* walkTree(root: string, opts: WalkOptions = {}, rel = ''): Generator<WalkEntry> {
  let names: string[];
  const extra = opts.extra?.(rel);
  const given = extra && new Map(extra);
  try {
    names = readdirSync(rel ? join(root, rel) : root);
  } catch {
    return;
  }
  if (given) names.push(...given.keys());
  sortByBytes(names);
  for (const name of names) {
    const r = rel ? `${rel}/${name}` : name;
    if (opts.exclude?.(r)) continue;
    const abs = join(root, r);
    let st: BigIntStats | undefined = given?.get(name);
    if (!st)
      try {
        st = lstatSync(abs, { bigint: true });
      } catch {
        continue; // vanished while walking
      }
    yield { rel: r, abs, st };
    if (st.isDirectory()) yield* walkTree(root, opts, r);
  }
}
