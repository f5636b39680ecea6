/** What the tree writer (copy.ts) takes and tells. */
import type { IgnoreMatcher } from '../../../common/dockerignore.js';
import type { ReadMemo } from './reads.js';
import type { UnwrittenFiles } from './unwritten.js';

export interface Owner {
  uid: number;
  gid: number;
}

export interface CopyOptions {
  /** --chown, resolved; null: the source's owners (keepOwners) or root's. */
  chown: Owner | null;
  /** Keep the sources' owners (COPY --from); the context's files become root's. */
  keepOwners: boolean;
  /** --chmod as a number, or a symbolic mode. */
  chmod?: number | string;
  exclude?: IgnoreMatcher | null;
  signal?: AbortSignal;
  /** What the checksum read of the source's entries. */
  memo?: ReadMemo | null;
}

/** What the tree holds at an entry as the writer made it. */
export interface KnownEntry {
  /** A regular file's bytes, when the writer had them in memory. */
  data?: Buffer;
  /** Every extended attribute the entry has (one entry for the names of one inode). */
  xattrs: ReadonlyMap<string, Buffer>;
}

/** What the writer knows of its tree, for the tar (layer.ts layerFromTree). */
export interface TreeKnowledge {
  entry: (rel: string) => KnownEntry | undefined;
  /** Files not written yet: the tar lists them from here, the step writes them if the layer is new. */
  unwritten: UnwrittenFiles | null;
}
