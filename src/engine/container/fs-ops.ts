/**
 * A container's files from outside: diff, export, cp both ways. Paths inside
 * a container are only ever opened by the chrooted fs-helper process.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  constants as fsConstants,
  createReadStream,
  mkdirSync,
  openSync,
  readFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { BerthError, notFound, wrongState } from '../errors.js';
import { containerCgroupPath } from '../cgroup/hierarchy.js';
import { changesFromUpper } from '../layer/changes.js';
import { spoolChecked } from './copy-check.js';
import { copyUpTargets } from '../volume/mounts.js';
import { volumeData, volumeEmpty } from '../volume/service.js';
import { MNT_DETACH, MS, native } from '../native.js';
import { containerPaths, shortLayerLink } from '../runtime/container-fs.js';
import { makeScratch, removeTree } from '../store/scratch.js';
import type { Store } from '../store/store.js';
import type { FilesystemChange } from '../types.js';
import { findContainer, isRunning, stateOf } from './records.js';
import type { ContainerRecord } from './types.js';

const HELPER = fileURLToPath(new URL('../runtime/fs-helper.js', import.meta.url));

export function containerChanges(store: Store, ref: string): FilesystemChange[] {
  const rec = findContainer(store, ref);
  const p = containerPaths(store.layout, rec.id);
  const lowers = [p.init, ...[...rec.layers].reverse().map((c) => store.layout.layerDiff(c.slice(7)))];
  return changesFromUpper(p.upper, lowers);
}

/**
 * Mount the container's file system privately (no volumes): read-only with
 * its upper dir as the top lower layer, or read-write on its upper dir when
 * the container is stopped.
 */
async function withOverlay<T>(
  store: Store,
  rec: ContainerRecord,
  write: boolean,
  fn: (root: string) => Promise<T>,
): Promise<T> {
  const p = containerPaths(store.layout, rec.id);
  const scratch = makeScratch(store.layout.tmpDir, 'mnt');
  const mnt = join(scratch, 'root');
  mkdirSync(mnt);
  const rel = (abs: string) => abs.slice(store.layout.root.length + 1);
  const layers = [...rec.layers].reverse().map((c) => shortLayerLink(store.layout, c));
  const data = write
    ? `lowerdir=${[rel(p.init), ...layers].join(':')},upperdir=${rel(p.upper)},workdir=${rel(p.work)}`
    : `lowerdir=${[rel(p.upper), rel(p.init), ...layers].join(':')}`;
  const cwd = process.cwd();
  try {
    process.chdir(store.layout.root); // the lowerdir names are relative to the store
    // nosuid, nodev: the image's setuid binaries and device nodes are files to copy here, nothing more
    native().mount('overlay', mnt, 'overlay', MS.NOSUID | MS.NODEV | (write ? 0 : MS.RDONLY), data);
  } catch (e) {
    removeTree(scratch);
    throw new BerthError('RUNTIME', `cannot mount the container's file system: ${(e as Error).message}`, { cause: e });
  } finally {
    process.chdir(cwd);
  }
  try {
    return await fn(mnt);
  } finally {
    try {
      native().umount(mnt, MNT_DETACH);
    } catch {
      /* already gone */
    }
    removeTree(scratch);
  }
}

/** A directory to chroot at: a path, or a directory held open (a running container's root). */
type Root = string | { fd: number };

/** Run the helper chrooted at root; stdout goes to out (when given). An abort kills it. */
function helper(
  root: Root,
  args: string[],
  io: { out?: Writable; input?: Readable; signal?: AbortSignal } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    // a held directory is the helper's fd 3, and it chroots through /proc/self/fd/3
    const held = typeof root === 'string' ? null : root.fd;
    const child = spawn(process.execPath, [HELPER, held === null ? (root as string) : '/proc/self/fd/3', ...args], {
      stdio: [io.input ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(held === null ? [] : [held])],
    });
    io.signal?.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
    let stdout = '';
    let stderr = '';
    if (io.out) child.stdout!.pipe(io.out, { end: false });
    else child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    if (io.input) {
      io.input.pipe(child.stdin!);
      io.input.on('error', () => child.kill());
      child.stdin!.on('error', () => undefined);
    }
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve(stdout);
      const msg = stderr.trim().split('\n').pop() || `the file helper failed (${code})`;
      reject(code === 3 ? notFound(msg) : new BerthError('RUNTIME', msg));
    });
  });
}

async function endOf(out: Writable): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.end(resolve);
  });
}

/** `export`: the flattened file system (without volumes) as a tar. */
export async function exportContainer(store: Store, ref: string, out: Writable): Promise<void> {
  const rec = findContainer(store, ref);
  await withOverlay(store, rec, false, (root) => helper(root, ['export'], { out }));
  await endOf(out);
  store.event({ type: 'container', action: 'export', actorId: rec.id, attributes: { name: rec.name } });
}

const O_PATH = 0o10000000;

/**
 * The root directory of a running container's process, held open; null when
 * the pid is no longer that container's process. The state file may name a
 * pid for a moment after the process exited, and the kernel may have given
 * the pid to another process since: the process must be in the container's
 * cgroup, and its pidfd must show it still alive after the root was opened,
 * so the root opened is the one of the process that was checked.
 */
function openContainerRoot(rec: ContainerRecord, pid: number): number | null {
  let pidfd: number;
  try {
    pidfd = native().pidfdOpen(pid);
  } catch {
    return null;
  }
  try {
    if (!inCgroup(pid, containerCgroupPath(rec.id))) return null;
    let fd: number;
    try {
      fd = openSync(`/proc/${pid}/root`, O_PATH | fsConstants.O_DIRECTORY);
    } catch {
      return null;
    }
    if (native().pidfdAlive(pidfd)) return fd;
    closeSync(fd);
    return null;
  } finally {
    closeSync(pidfd);
  }
}

/** Whether /proc/<pid>/cgroup puts the process in the cgroup at path (in any hierarchy). */
function inCgroup(pid: number, path: string): boolean {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return false;
  }
  return text.split('\n').some((l) => l.slice(l.indexOf(':', l.indexOf(':') + 1) + 1) === path);
}

/** Where to reach a container's files: a running one through its mount namespace, else a private mount. */
async function withRoot<T>(
  store: Store,
  rec: ContainerRecord,
  write: boolean,
  fn: (root: Root) => Promise<T>,
): Promise<T> {
  const st = stateOf(store, rec);
  if (!isRunning(st) || !st.pid) return withOverlay(store, rec, write, fn);
  const fd = openContainerRoot(rec, st.pid);
  if (fd === null) throw wrongState(`Container ${rec.id.slice(0, 12)} is not running: its process has exited`);
  try {
    return await fn({ fd });
  } finally {
    closeSync(fd);
  }
}

/** One helper's tar into another's stdin; when either fails both are stopped. */
async function pipeHelpers(
  producer: (io: { out: Writable; signal: AbortSignal }) => Promise<unknown>,
  consumer: (io: { input: Readable; signal: AbortSignal }) => Promise<unknown>,
): Promise<void> {
  const pass = new PassThrough();
  const ac = new AbortController();
  let first: { error: unknown } | null = null;
  const stopOnError = <T>(p: Promise<T>) =>
    p.catch((error) => {
      first ??= { error }; // the cause, not the other side being stopped
      ac.abort();
    });
  await Promise.all([
    stopOnError(producer({ out: pass, signal: ac.signal }).then(() => pass.end())),
    stopOnError(consumer({ input: pass, signal: ac.signal })),
  ]);
  if (first) throw (first as { error: unknown }).error;
}

export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
  isDir: boolean;
  uid: number;
  gid: number;
}

/**
 * docker's copy-up: the first time an empty volume is mounted, what the image
 * has at the mount point is copied into it, with owners and modes.
 */
export async function copyUpVolumes(store: Store, rec: ContainerRecord): Promise<void> {
  const targets = copyUpTargets(rec.mounts, (n) => volumeEmpty(store, n));
  if (!targets.length) return;
  await withOverlay(store, rec, false, async (root) => {
    for (const t of targets) {
      let st: PathStat;
      try {
        st = JSON.parse(await helper(root, ['stat', t.Destination, 'follow'])) as PathStat;
      } catch {
        continue; // nothing there in the image
      }
      if (!st.isDir) continue;
      // a volume mounted at two places is filled once
      if (!volumeEmpty(store, t.Name!)) continue;
      const data = volumeData(store, t.Name!);
      // Written by a helper chrooted at the volume: another container that shares it can swap
      // anything in it for a symbolic link at any moment, and every lookup still stays inside.
      try {
        await pipeHelpers(
          (o) => helper(root, ['tar-out', t.Destination, '', 'follow'], o),
          (i) => helper(data, ['tar-in', '/', 'keep-owners'], i),
        );
      } catch (e) {
        throw new BerthError(
          'RUNTIME',
          `cannot copy the image's ${t.Destination} into volume ${t.Name}: ${(e as Error).message}`,
          { cause: e },
        );
      }
      chownSync(data, st.uid, st.gid);
      chmodSync(data, st.mode & 0o7777);
    }
  });
}

export async function statInContainer(store: Store, ref: string, path: string, follow = false): Promise<PathStat> {
  const rec = findContainer(store, ref);
  return withRoot(
    store,
    rec,
    false,
    async (root) => JSON.parse(await helper(root, ['stat', path, ...(follow ? ['follow'] : [])])) as PathStat,
  );
}

/** `cp CONTAINER:SRC -`: a tar whose top entry is `name` ("" for the contents of a directory). */
export async function copyFromContainer(
  store: Store,
  ref: string,
  src: string,
  name: string,
  out: Writable,
  follow = false,
): Promise<void> {
  const rec = findContainer(store, ref);
  await withRoot(store, rec, false, (root) =>
    helper(root, ['tar-out', src, name, ...(follow ? ['follow'] : [])], { out }),
  );
  await endOf(out);
}

/**
 * `cp - CONTAINER:DEST`: extract a tar (top entry `top`) at DEST with docker's naming rules.
 * `verify`: check the whole archive first (see copy-check.ts), so a bad one writes nothing.
 */
export async function copyToContainer(
  store: Store,
  ref: string,
  dest: string,
  input: Readable,
  top: string,
  keepOwners = false,
  opts: { verify?: boolean } = {},
): Promise<void> {
  const rec = findContainer(store, ref);
  if (rec.hostConfig.ReadonlyRootfs && isRunning(stateOf(store, rec))) {
    throw new BerthError('WRONG_STATE', 'container rootfs is marked read-only');
  }
  let scratch: string | null = null;
  try {
    if (opts.verify) {
      scratch = makeScratch(store.layout.tmpDir, 'cp');
      const file = join(scratch, 'in.tar');
      await spoolChecked(input, file);
      input = createReadStream(file);
    }
    const pass = new PassThrough();
    input.pipe(pass);
    await withRoot(store, rec, true, (root) =>
      helper(root, ['tar-in', dest, keepOwners ? 'keep-owners' : 'no', top], { input: pass }),
    );
  } finally {
    if (scratch) removeTree(scratch);
  }
}
