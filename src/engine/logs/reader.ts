/**
 * Reading a container's json-file log: --tail, --since, --until, stdout and
 * stderr apart, and --follow across rotations until the container stops or
 * the caller aborts. Memory is bounded by the tail count, never by file size.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { dirWaker, type DirWatch, type Waker } from '../util/dir-waker.js';
import { orderLogFiles, parseLogLine, type LogEntry } from './json-file.js';

export interface LogReadOptions {
  stdout?: boolean;
  stderr?: boolean;
  /** Number of entries from the end; undefined = all. */
  tail?: number;
  sinceNs?: bigint;
  untilNs?: bigint;
  follow?: boolean;
  /** Asked while following: true once no more output can come. */
  finished?: () => boolean;
  /** A directory where the end shows (the monitor's runtime directory): a change there wakes the follower to ask `finished`. */
  endDir?: string;
  signal?: AbortSignal;
}

const CHUNK = 64 * 1024;

function* linesOf(path: string, from = 0): Generator<{ line: string; end: number }> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    const buf = Buffer.alloc(CHUNK);
    let pos = from;
    let rest = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n <= 0) break;
      pos += n;
      let data = rest.length ? Buffer.concat([rest, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, start)) {
        yield { line: data.toString('utf8', start, i), end: pos - (data.length - i - 1) };
        start = i + 1;
      }
      rest = Buffer.from(data.subarray(start));
      data = rest;
    }
  } finally {
    closeSync(fd);
  }
}

function wanted(e: LogEntry, o: LogReadOptions): boolean {
  if (e.stream === 'stdout' && o.stdout === false) return false;
  if (e.stream === 'stderr' && o.stderr === false) return false;
  if (o.sinceNs !== undefined && e.timeNs < o.sinceNs) return false;
  if (o.untilNs !== undefined && e.timeNs > o.untilNs) return false;
  return true;
}

function files(logPath: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dirname(logPath));
  } catch {
    return [];
  }
  return orderLogFiles(basename(logPath), names).map((n) => join(dirname(logPath), n));
}

/** The entries of a container's log, oldest first. */
export async function* readLogs(logPath: string, o: LogReadOptions = {}): AsyncGenerator<LogEntry> {
  const existing = files(logPath);
  let offset = 0;
  let ino = -1;
  if (o.tail !== undefined) {
    const ring: LogEntry[] = [];
    if (o.tail > 0) {
      for (const f of existing) {
        for (const { line } of linesOf(f)) {
          const e = parseLogLine(line);
          if (!e || !wanted(e, o)) continue;
          ring.push(e);
          if (ring.length > o.tail) ring.shift();
        }
      }
    }
    for (const e of ring) yield e;
  } else {
    for (const f of existing) {
      for (const { line } of linesOf(f)) {
        if (o.signal?.aborted) return;
        const e = parseLogLine(line);
        if (e && wanted(e, o)) yield e;
      }
    }
  }
  if (!o.follow) return;
  try {
    const st = statSync(logPath);
    offset = st.size;
    ino = st.ino;
  } catch {
    offset = 0;
  }
  // Follow: read the live file whenever the log's directory says a log file
  // changed or the end's directory changed (inotify), and at least every
  // backstop (logWaker) to ask whether output can still come; on rotation (new inode) read the rest of the rotated file, then the
  // new one from its start.
  let idle = 0;
  const wake = logWaker(logPath, o.endDir);
  try {
    while (!o.signal?.aborted) {
      let progressed = false;
      let st: { size: number; ino: number } | null = null;
      try {
        const fd = openSync(logPath, 'r');
        st = fstatSync(fd);
        closeSync(fd);
      } catch {
        st = null;
      }
      if (st && st.ino !== ino && ino !== -1) {
        const rotated = `${logPath}.1`;
        try {
          if (statSync(rotated).ino === ino) {
            for (const { line } of linesOf(rotated, offset)) {
              const e = parseLogLine(line);
              if (e && wanted(e, o)) yield e;
            }
          }
        } catch {
          /* rotated file already gone */
        }
        ino = st.ino;
        offset = 0;
      }
      if (st && st.size > offset) {
        for (const { line, end } of linesOf(logPath, offset)) {
          const e = parseLogLine(line);
          offset = end;
          if (e && wanted(e, o)) yield e;
          if (o.untilNs !== undefined && e && e.timeNs > o.untilNs) return;
        }
        progressed = true;
      } else if (st && st.size < offset) {
        offset = 0; // truncated (max-file=1 rotation)
        progressed = true;
      }
      if (!progressed) {
        if (o.finished?.()) {
          if (++idle > 1) return;
          continue; // one more read after the end to catch the last bytes
        }
        await wake.next(o.signal);
      }
    }
  } finally {
    wake.close();
  }
}

/**
 * How long a follower waits at most between two looks at an unchanged log.
 * With inotify on the log's and the end's directories, changes wake it and
 * this is only a backstop (a monitor killed outright writes nothing); with
 * the log's alone it also asks `finished` this often; without inotify it polls.
 */
const BACKSTOP_MS = 2000;
const END_POLL_MS = 250;
const POLL_MS = 100;

/** Wakes on a change to a file of this log or to the end directory. */
function logWaker(logPath: string, endDir?: string): Waker {
  const name = basename(logPath);
  const dirs: DirWatch[] = [{ dir: dirname(logPath), match: (file) => file === null || file.startsWith(name) }];
  if (endDir) dirs.push({ dir: endDir, match: () => true });
  return dirWaker(dirs, (watching) =>
    watching === 0 ? POLL_MS : watching === dirs.length ? BACKSTOP_MS : END_POLL_MS,
  );
}
