/**
 * A read-only view of a layer chain (a stage's result, an image): nothing
 * for no layers, the layer's own tree for one, and for more a read-only
 * overlay mounted in the build's scratch directory (the lowerdirs by their
 * short links, as containers mount them). A mount a killed build leaves is
 * detached by the scratch sweep.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import { MNT_DETACH, MS, native } from '../../native.js';
import { shortLayerLink } from '../../runtime/container-fs.js';
import type { Store } from '../../store/store.js';
import { DirView, EMPTY_VIEW, type FsView } from './view.js';

export interface Rootfs {
  view: FsView;
  /** The host directory of the view ('' for an empty chain). */
  dir: string;
  close(): void;
}

let counter = 0;

/** Mount an overlay of `lowers` (store-relative paths, top first) read-only at `mnt`. */
export function mountOverlay(store: Store, mnt: string, lowers: string[]): void {
  mkdirSync(mnt, { recursive: true });
  const cwd = process.cwd();
  try {
    process.chdir(store.layout.root); // the lowerdir names are relative to the store
    native().mount('overlay', mnt, 'overlay', MS.RDONLY, `lowerdir=${lowers.join(':')}`);
  } catch (e) {
    throw new BerthError('RUNTIME', `cannot mount the build's file system: ${(e as Error).message}`, { cause: e });
  } finally {
    process.chdir(cwd);
  }
}

export function unmount(mnt: string): void {
  try {
    native().umount(mnt, MNT_DETACH);
  } catch {
    /* already gone */
  }
}

export function openRootfs(store: Store, scratch: string, chains: string[]): Rootfs {
  if (!chains.length) return { view: EMPTY_VIEW, dir: '', close() {} };
  if (chains.length === 1) {
    const dir = store.layout.layerDiff(chains[0]!.slice(7));
    return { view: new DirView(dir, true), dir, close() {} };
  }
  const mnt = join(scratch, `view-${process.pid}-${counter++}`);
  mountOverlay(
    store,
    mnt,
    [...chains].reverse().map((c) => shortLayerLink(store.layout, c)),
  );
  let open = true;
  return {
    view: new DirView(mnt),
    dir: mnt,
    close() {
      if (open) unmount(mnt);
      open = false;
    },
  };
}
