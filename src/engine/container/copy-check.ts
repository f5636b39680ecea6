/**
 * An archive to copy into a container, checked whole before anything of it
 * is written: it is spooled to a scratch file, every entry is read, and one
 * whose name, hard-link target or symbolic-link target would leave the
 * destination (`../../etc/passwd`, a link to `../../..`) refuses the whole
 * copy. docker's daemon refuses such entries as it meets them (after the
 * ones before were written); berth writes nothing. The path rules are
 * docker's: a symbolic link's target is joined to the link's directory, an
 * absolute one included.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError } from '../errors.js';
import { entryPath } from '../layer/paths.js';
import { readTar } from '../tar/reader.js';

const bad = (msg: string) => new BerthError('INVALID_ARCHIVE', msg);

/** Whether a slash-separated path climbs above its starting point at any step ("a/../../b" does). Pure. */
export function climbsOut(path: string): boolean {
  let depth = 0;
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (--depth < 0) return true;
    } else depth++;
  }
  return false;
}

/** The problem with one entry, or null. Pure. */
export function entryProblem(h: { name: string; type: string; linkname: string }): string | null {
  const rel = entryPath(h.name);
  if (rel === null || climbsOut(h.name.replace(/^\/+/, '')))
    return `archive entry "${h.name}" climbs out of the destination`;
  if (h.type === 'link') {
    if (entryPath(h.linkname) === null || climbsOut(h.linkname.replace(/^\/+/, '')))
      return `archive entry "${h.name}" is a hard link out of the destination ("${h.linkname}")`;
  }
  if (h.type === 'symlink') {
    const target = posix.join(posix.dirname(rel || '.'), h.linkname);
    if (target === '..' || target.startsWith('../'))
      return `archive entry "${h.name}" is a symbolic link out of the destination ("${h.linkname}")`;
  }
  return null;
}

/** Spool `input` to `file`, then read every entry; throws INVALID_ARCHIVE for the first bad one. */
export async function spoolChecked(input: Readable, file: string): Promise<void> {
  await pipeline(input, createWriteStream(file, { mode: 0o600 }));
  try {
    for await (const e of readTar(createReadStream(file))) {
      const problem = entryProblem(e.header);
      if (problem) throw bad(problem);
    }
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw bad(`the archive cannot be read: ${(e as Error).message}`);
  }
}
