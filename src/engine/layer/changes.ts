/**
 * `diff`: what a container changed, from its overlay upper dir against the
 * image layers, with the rules of docker's overlay driver (moby
 * OverlayChanges): whiteouts and recreated opaque directories are deletions,
 * files also in a lower layer are modifications, others additions, and the
 * parent of an addition or deletion is reported modified.
 */
import { lstatSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { native } from '../native.js';
import type { FilesystemChange } from '../types.js';
import { walkTree } from './walk.js';

const isWhiteout = (st: BigIntStats) => st.isCharacterDevice() && st.rdev === 0n;

function lowerStat(lowers: string[], path: string): BigIntStats | null {
  for (const l of lowers) {
    try {
      const st = statSync(join(l, path), { bigint: true });
      return isWhiteout(st) ? null : st;
    } catch {
      try {
        // a whiteout in a higher lower hides the rest
        if (isWhiteout(lstatSync(join(l, path), { bigint: true }))) return null;
      } catch {
        /* not in this layer */
      }
    }
  }
  return null;
}

function sameFsTime(a: bigint, b: bigint): boolean {
  if (a === b) return true;
  const sec = 1_000_000_000n;
  return a / sec === b / sec && (a % sec === 0n || b % sec === 0n);
}

export function changesFromUpper(upper: string, lowers: string[]): FilesystemChange[] {
  const out: FilesystemChange[] = [];
  const changedDirs = new Set<string>();
  for (const e of walkTree(upper)) {
    const path = `/${e.rel}`;
    let kind: 0 | 1 | 2;
    let deleted = isWhiteout(e.st);
    if (!deleted && e.st.isDirectory() && lowers.length) {
      let opaque: Buffer | null = null;
      try {
        opaque = native().lgetxattr(e.abs, 'trusted.overlay.opaque');
      } catch {
        opaque = null;
      }
      if (opaque?.toString() === 'y' && lowerStat(lowers, path)) deleted = true;
    }
    if (deleted) {
      kind = 2;
    } else {
      kind = 1;
      const low = lowerStat(lowers, path);
      if (low) {
        if (
          low.isDirectory() &&
          e.st.isDirectory() &&
          low.size === e.st.size &&
          low.mode === e.st.mode &&
          sameFsTime(low.mtimeNs, e.st.mtimeNs)
        ) {
          continue; // only a parent of something changed: docker does not record it
        }
        kind = 0;
      }
    }
    if (e.st.isDirectory()) changedDirs.add(path);
    if (kind !== 0) {
      const parent = path.slice(0, path.lastIndexOf('/')) || '/';
      if (parent !== '/' && !changedDirs.has(parent)) {
        out.push({ Kind: 0, Path: parent });
        changedDirs.add(parent);
      }
    }
    out.push({ Kind: kind, Path: path });
  }
  return out;
}
