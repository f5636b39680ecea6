/** The host side of `cp`: a tar of a host path, and extracting a container's tar on the host. */
import { lstatSync, mkdirSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { BerthError } from '../engine/errors.js';
import { extractTar } from '../engine/layer/extract.js';
import { tarFromTree } from '../engine/layer/tar-out.js';
import { newHeader } from '../engine/tar/header.js';
import { TarWriter } from '../engine/tar/writer.js';

/** A tar of a host file or directory, its top entry named `top` ("" = a directory's contents). */
export async function copyTreeTar(out: Writable, src: string, top: string, follow: boolean): Promise<void> {
  const tar = new TarWriter(out);
  const st = follow ? statSync(src) : lstatSync(src);
  const meta = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
  if (st.isDirectory()) {
    if (top) await tar.add(newHeader({ name: top, type: 'dir', ...meta }));
    await tarFromTree(tar, src, top ? { prefix: top } : {});
  } else if (st.isSymbolicLink()) {
    await tar.add(newHeader({ name: top, type: 'symlink', linkname: readlinkSync(src), ...meta }));
  } else {
    await tar.add(newHeader({ name: top, type: 'file', size: st.size, ...meta }), { path: src });
  }
  await tar.finish();
}

/** Extract a tar copied out of a container at a host destination, with docker cp's naming rules. */
export async function extractHostTar(
  input: Readable,
  dest: string,
  o: { srcIsDir: boolean; name: string; contents: boolean },
): Promise<void> {
  let st: ReturnType<typeof statSync> | null = null;
  try {
    st = statSync(dest);
  } catch {
    st = null;
  }
  const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  if (st?.isDirectory()) {
    await extractTar(input, dest, { owner });
    return;
  }
  if (st && o.srcIsDir) throw new BerthError('INVALID_ARGUMENT', `cannot copy a directory to a file: ${dest}`);
  if (dest.endsWith('/')) throw new BerthError('NOT_FOUND', `destination directory ${dest} does not exist`);
  const parent = dirname(dest);
  try {
    if (!statSync(parent).isDirectory()) throw new Error();
  } catch {
    throw new BerthError('NOT_FOUND', `destination directory ${parent} does not exist`);
  }
  if (o.contents) {
    mkdirSync(dest);
    await extractTar(input, dest, { owner });
    return;
  }
  await extractTar(input, parent, { owner, renameTop: { from: o.name, to: basename(dest) } });
}
