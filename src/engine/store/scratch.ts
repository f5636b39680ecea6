/**
 * Scratch directories under <root>/tmp, on the same file system as the store
 * so finished work can be renamed into place atomically. Each name carries
 * the owning process's pid; entries whose owner is dead are leftovers of a
 * crash (kill -9, power loss) and are swept when an engine opens the root.
 *
 * <root>/tmp carries ext4's "top directory" attribute (chattr +T). Every
 * layer tree is born in a scratch directory here, and without the attribute
 * ext4 puts each new tree in the block groups beside the last one: the groups
 * that the trees just removed (rmi, prune, rm -rf) emptied. On ext4 without a
 * journal, the inode allocator then steps over every inode freed in the last
 * 60 s (360 s while its inode table block is dirty) one buffer-cache lookup at
 * a time, on every create: a load right after a removal spent about 800 us in
 * each openat/mkdir/symlink. With the attribute, each scratch directory starts
 * in a block group of its own (picked from a hash of its random name: the
 * group with the fewest directories), away from what was just freed. README,
 * "Benchmarks", has the measurements.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MNT_DETACH, native } from '../native.js';

const PREFIX = 'w-';

export function scratchName(kind: string): string {
  return `${PREFIX}${process.pid}-${kind}-${randomBytes(6).toString('hex')}`;
}

/**
 * Give the scratch directory the "top directory" attribute (see above). Only a
 * placement hint: where the file system has no such attribute, or it cannot be
 * set, the store works as before.
 */
function spreadNewTrees(tmpDir: string): void {
  try {
    native().setTopdir(tmpDir);
  } catch {
    /* a hint only; see above */
  }
}

/** Make a new, empty scratch directory owned by this process. */
export function makeScratch(tmpDir: string, kind: string): string {
  mkdirSync(tmpDir, { recursive: true });
  spreadNewTrees(tmpDir);
  const dir = join(tmpDir, scratchName(kind));
  mkdirSync(dir);
  return dir;
}

export function removeTree(path: string): void {
  rmSync(path, { recursive: true, force: true, maxRetries: 3 });
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Mount points at or below dir (octal escapes of mountinfo decoded), deepest first. */
function mountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m === dir || m.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
}

/**
 * Detach what a dead process left mounted in its scratch directory (a
 * container file system it was exporting or copying into). Removing files
 * through such a mount would delete the container's files, so an entry whose
 * mounts cannot be detached is left alone.
 */
function unmountLeftovers(dir: string): boolean {
  const mounts = mountsUnder(dir);
  if (!mounts.length) return true;
  for (const m of mounts) {
    try {
      native().umount(m, MNT_DETACH);
    } catch {
      /* checked below */
    }
  }
  return mountsUnder(dir).length === 0;
}

/** Remove (or with dryRun only count) scratch entries whose owner process is gone. */
export function sweepScratch(tmpDir: string, dryRun = false): number {
  let names: string[];
  try {
    names = readdirSync(tmpDir);
  } catch {
    return 0;
  }
  let swept = 0;
  for (const name of names) {
    const pid = name.startsWith(PREFIX) ? Number.parseInt(name.slice(PREFIX.length), 10) : NaN;
    if (Number.isNaN(pid) || !pidAlive(pid)) {
      if (!dryRun) {
        if (!unmountLeftovers(join(tmpDir, name))) continue;
        removeTree(join(tmpDir, name));
      }
      swept++;
    }
  }
  return swept;
}
