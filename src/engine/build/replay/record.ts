/**
 * Build replay records: what lets the native launcher (native/launcher/
 * build.c) answer a `berth build` command line again without Node when
 * nothing the build depended on changed. One record per command line
 * (the working directory and the arguments, exactly), at
 * <root>/build-records/<FNV-1a 64 of the line>.json, holding
 *
 *   - the line itself, the root and runroot, and the stamp of the code
 *     that wrote it (run plans' stamp: another build of berth, no replay);
 *   - every host path the result depended on with its (dev, ino, mode,
 *     size, mtime, ctime), or its absence: the context directory and
 *     the Dockerfile's (followed), each context entry the build looked at
 *     and the directories above it (a directory's times change when an
 *     entry is added, removed or renamed in it), the Dockerfile and the
 *     .dockerignore files (which must be plain files);
 *   - the tags the base images were found by and their IDs; every step's
 *     cache key and the layer it gave; the image, the tags the build set,
 *     the layer trees and config blob that must still be there;
 *   - the events the build recorded (docker's `tag`), and the exact output
 *     the command printed (and whether stderr was a terminal).
 *
 * The records of the 64 lines built last are kept.
 *
 * A record is written only when every one of those can be checked again
 * by its metadata: no entry may have changed since shortly before the
 * build began (its ctime at least settleMs older than the build's start,
 * which covers timestamp granularity: a later change always gives a newer
 * ctime, as git's "racily clean" rule), and the build read nothing from a
 * pull, a URL, a secret or stdin. The launcher checks all of it, in the
 * store in one transaction, and hands the line to Node at any difference.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { planStamp } from '../../container/run-plan.js';
import { SHARED } from '../../shared-constants.js';
import type { Store } from '../../store/store.js';
import type { BuildDepends, StatSeen } from './depends.js';

export const RECORD_VERSION = SHARED.buildRecord.version;
const SETTLE_MS = SHARED.buildRecord.settleMs;

export interface BuildRecordInput {
  /** The command line: the working directory and the arguments after the program's name. */
  cwd: string;
  argv: string[];
  /** What the command printed, on each stream. */
  stdout: string;
  stderr: string;
  stderrTty: boolean;
  /** The output is the image ID alone (-q): the same whether the steps ran or came from the cache. */
  quiet: boolean;
  depends: BuildDepends;
}

/** FNV-1a 64 of the line (cwd, then each argument, NUL-separated), as 16 hex digits; the launcher computes the same. */
export function lineHash(cwd: string, argv: string[]): string {
  const bytes = Buffer.from([cwd, ...argv].join('\0'));
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}

export const recordsDir = (store: Store) => join(store.layout.root, SHARED.layout.buildRecords);
export const recordPath = (store: Store, cwd: string, argv: string[]) =>
  join(recordsDir(store), `${lineHash(cwd, argv)}.json`);

/** Every record goes (builder prune: the cache they name is gone). */
export function removeBuildRecords(store: Store): void {
  rmSync(recordsDir(store), { recursive: true, force: true });
}

/**
 * [path, dev, ino, mode, size, mtime ms, ctime ms], the numbers as Node has them (the times
 * sec * 1e3 + nsec / 1e6 in doubles, which the launcher computes the same way); [path] when
 * absent. Sub-microsecond times are plenty: under the settle rule a later change moves the
 * ctime by seconds.
 */
type Entry = [string, ...number[]];

class NotReplayable extends Error {}

function entry(path: string, st: Stats | undefined, limitMs: number): Entry {
  if (!st) return [path];
  if (st.ctimeMs >= limitMs) throw new NotReplayable(`${path} changed just before or during the build`);
  return [path, st.dev, st.ino, st.mode, st.size, st.mtimeMs, st.ctimeMs];
}

const lstatOf = (p: string) => lstatSync(p, { throwIfNoEntry: false });

/** A path's entry from the lstat the build took of it (null: not there), or from one taken now. */
function seenEntry(path: string, seen: StatSeen | null | false | undefined, limitMs: number): Entry {
  if (seen === false || seen === undefined) return entry(path, lstatOf(path), limitMs);
  if (!seen) return [path];
  if (seen[5] >= limitMs) throw new NotReplayable(`${path} changed just before or during the build`);
  return [path, ...seen];
}

/**
 * Write the record for this line, replacing any; returns null when written, else why not (the
 * line then always goes to Node, and an older record for it is removed).
 */
export function writeBuildRecord(store: Store, input: BuildRecordInput): string | null {
  const file = recordPath(store, input.cwd, input.argv);
  const d = input.depends;
  let why: string | null = d.unreplayable ?? null;
  if (!why && !d.allCached && !input.quiet) why = 'steps ran (the output of a cached build differs)';
  if (!why && (input.stdout + input.stderr).includes('\0')) why = 'the output holds a NUL byte';
  const stamp = planStamp();
  if (!why && !stamp) why = 'this build of berth has no stamp';
  let stats: Entry[] = [];
  if (!why) {
    const limit = d.start - SETTLE_MS;
    try {
      stats = [
        ...d.dirs.map((p) => {
          const st = statSync(p, { throwIfNoEntry: false });
          if (!st?.isDirectory()) throw new NotReplayable(`${p} is not a directory`);
          return entry(p, st, limit);
        }),
        ...d.files.map((p) => {
          const st = lstatOf(p);
          if (st && !st.isFile()) throw new NotReplayable(`${p} is not a plain file`);
          return entry(p, st, limit);
        }),
        ...d.paths.map((p, i) => seenEntry(p, d.seen?.[i], limit)),
      ];
    } catch (e) {
      if (!(e instanceof NotReplayable)) throw e;
      why = e.message;
    }
  }
  if (why) {
    rmSync(file, { force: true });
    return why;
  }
  const record = {
    version: RECORD_VERSION,
    stamp,
    root: store.layout.root,
    runroot: store.layout.runroot,
    cwd: input.cwd,
    argv: input.argv,
    stderrTty: input.stderrTty,
    stdout: input.stdout,
    stderr: input.stderr,
    image: d.image,
    tags: d.tags,
    bases: d.bases,
    steps: d.steps,
    // the first entries are the directories (stat), then the files and context entries (lstat)
    statCount: d.dirs.length,
    entries: stats,
    exists: [
      ...new Set(d.steps.map(([, chain]) => store.layout.layerDiff(chain.slice(7)))),
      store.layout.blob(d.image.replace(/^sha256:/, '')),
    ],
    events: d.tags.map((name) => ['image', 'tag', d.image, JSON.stringify({ name })]),
  };
  saveRecord(recordsDir(store), file, record);
  return null;
}

/** Records are kept for this many lines at most (the least recently written go): a line per directory adds up. */
const MAX_RECORDS = 64;

/**
 * A replay record (a build's, a pull's: registry/pull-record.ts) written whole or not at all into `dir`, only
 * this user's to read; then the newest MAX_RECORDS of the directory are kept.
 */
export function saveRecord(dir: string, file: string, record: object): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
  renameSync(tmp, file);
  keepNewest(dir, MAX_RECORDS);
}

/** Keep the newest `max` records of a directory (by mtime); the others go. */
function keepNewest(dir: string, max: number): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return;
  }
  if (names.length <= max) return;
  const aged = names
    .map((n) => ({ path: join(dir, n), mtime: lstatSync(join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { path } of aged.slice(max)) rmSync(path, { force: true });
}
