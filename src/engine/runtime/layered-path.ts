/**
 * Reading a file as a container will see it, before it runs or from outside
 * while it runs: its layer trees (upper dir, init layer, image layers from
 * the top) are looked up as overlayfs merges them, and every symbolic link
 * is followed inside that view, an absolute one from the container's root.
 * No host path outside the layers is ever opened: an image whose /etc is a
 * link to /etc reads its own /etc, never the host's.
 *
 *   - a directory merges the same directory of the layers below it, down to
 *     a layer where the name is not a directory, and no further than an
 *     opaque one (trusted.overlay.opaque=y);
 *   - a non-directory hides everything below; a whiteout (0/0 character
 *     device) hides the name.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { native } from '../native.js';

/** Symbolic links followed in one lookup at most (the kernel's limit). */
const MAX_LINKS = 40;

interface Entry {
  /** Host path of the topmost layer's entry. */
  path: string;
  /** Index of that layer. */
  layer: number;
  /** Path inside the layer. */
  rel: string;
  st: Stats;
  /** A directory: the layers' directories merged into it, top first, as [layer index, host path]. */
  dirs: [number, string, string][];
}

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

function isOpaque(path: string): boolean {
  try {
    return native().lgetxattr(path, 'trusted.overlay.opaque')?.toString() === 'y';
  } catch {
    return false;
  }
}

/** The entry `name` in a merged directory, or null when no layer has it (or a whiteout hides it). */
function child(dirs: Entry['dirs'], name: string): Entry | null {
  let top: Entry | null = null;
  for (const [layer, dir, rel] of dirs) {
    const path = join(dir, name);
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch {
      continue; // not in this layer
    }
    if (!top) {
      if (isWhiteout(st)) return null;
      top = { path, layer, rel: rel ? `${rel}/${name}` : name, st, dirs: [] };
      if (!st.isDirectory()) return top;
    } else if (!st.isDirectory()) break; // hides the layers below
    top.dirs.push([layer, path, rel ? `${rel}/${name}` : name]);
    if (isOpaque(path)) break;
  }
  return top;
}

/** The entry at `path` in the merged view of `layers` (top first), symbolic links followed inside it. */
export function lookupLayered(layers: string[], path: string): Entry | null {
  const root: Entry['dirs'] = layers.map((d, i) => [i, d, '']);
  let todo = path.split('/').filter(Boolean);
  let stack: Entry[] = [];
  let links = 0;
  while (todo.length) {
    const name = todo.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      stack.pop(); // ".." of the root is the root
      continue;
    }
    const dirs = stack.length ? stack[stack.length - 1]!.dirs : root;
    if (!dirs.length) return null; // a path through a non-directory
    const e = child(dirs, name);
    if (!e) return null;
    if (e.st.isSymbolicLink()) {
      if (++links > MAX_LINKS) return null;
      const target = readlinkSync(e.path);
      if (target.startsWith('/')) stack = [];
      todo = [...target.split('/').filter(Boolean), ...todo];
      continue;
    }
    stack.push(e);
  }
  return stack.length ? stack[stack.length - 1]! : null;
}

/**
 * A regular file's text as the container sees it at `rel`, or null. The file
 * is opened without following links, and the path the kernel opened must be
 * the one looked up: a directory of a running container's upper dir swapped
 * for a link meanwhile makes it null, never a read of a host file.
 */
export function readLayeredFile(layers: string[], rel: string): string | null {
  const e = lookupLayered(layers, rel);
  if (!e || !e.st.isFile()) return null;
  let fd: number;
  try {
    fd = openSync(e.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const expected = join(realpathSync.native(layers[e.layer]!), e.rel);
    if (readlinkSync(`/proc/self/fd/${fd}`) !== expected || !fstatSync(fd).isFile()) return null;
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
