/**
 * Walking a directory tree for tars and diffs: pre-order depth first with
 * names in byte order (Go's filepath.Walk), never following symlinks.
 */
import { lstatSync, readdirSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';

export interface WalkEntry {
  /** Path relative to the root, "/"-separated, no leading slash. */
  rel: string;
  abs: string;
  st: BigIntStats;
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function* walkTree(
  root: string,
  opts: { exclude?: (rel: string) => boolean } = {},
  rel = '',
): Generator<WalkEntry> {
  let names: string[];
  try {
    names = readdirSync(rel ? join(root, rel) : root).sort(byBytes);
  } catch {
    return;
  }
  for (const name of names) {
    const r = rel ? `${rel}/${name}` : name;
    if (opts.exclude?.(r)) continue;
    const abs = join(root, r);
    let st: BigIntStats;
    try {
      st = lstatSync(abs, { bigint: true });
    } catch {
      continue; // vanished while walking
    }
    yield { rel: r, abs, st };
    if (st.isDirectory()) yield* walkTree(root, opts, r);
  }
}
