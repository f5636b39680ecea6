/**
 * The file-system helper: a short-lived process that chroots into a
 * container's root before touching any path in it, so the kernel keeps every
 * lookup (absolute symlinks, "..") inside the container. Used by export and
 * cp. Everything it needs is loaded before the chroot.
 *
 *   node fs-helper.js ROOT export                 tar of / on stdout
 *   node fs-helper.js ROOT stat PATH [follow]     JSON stat of PATH on stdout
 *   node fs-helper.js ROOT tar-out PATH NAME [follow]  tar of PATH named NAME (or its contents when NAME is "")
 *   node fs-helper.js ROOT tar-in DEST [keep-owners]   extract stdin into DEST with docker cp's naming
 */
import { lstatSync, mkdirSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { extractTar } from '../layer/extract.js';
import { tarFromTree } from '../layer/tar-out.js';
import { native } from '../native.js';
import { newHeader } from '../tar/header.js';
import { TarWriter } from '../tar/writer.js';

function fail(msg: string, code = 1): never {
  process.stderr.write(`${msg}\n`);
  process.exit(code);
}

function statOf(path: string, follow: boolean) {
  const st = follow ? statSync(path) : lstatSync(path);
  return {
    name: basename(path) || '/',
    size: st.size,
    mode: st.mode,
    mtime: st.mtime.toISOString(),
    linkTarget: st.isSymbolicLink() ? readlinkSync(path) : '',
    isDir: st.isDirectory(),
    uid: st.uid,
    gid: st.gid,
  };
}

async function main(): Promise<void> {
  const [root, op, a, b, c] = process.argv.slice(2);
  if (!root || !op) fail('usage: fs-helper ROOT OP ...', 2);
  native().chroot(root);
  const out = new TarWriter(process.stdout);
  switch (op) {
    case 'export':
      await tarFromTree(out, '/');
      await out.finish();
      return;
    case 'stat': {
      try {
        process.stdout.write(JSON.stringify(statOf(a!, b === 'follow')));
      } catch {
        fail(`Could not find the file ${a} in container`, 3);
      }
      return;
    }
    case 'tar-out': {
      const path = a!;
      const name = b ?? basename(path);
      const follow = c === 'follow';
      let st;
      try {
        st = follow ? statSync(path) : lstatSync(path);
      } catch {
        fail(`Could not find the file ${path} in container`, 3);
      }
      if (st.isDirectory()) {
        if (name) {
          await out.add(
            newHeader({
              name,
              type: 'dir',
              mode: st.mode & 0o7777,
              uid: st.uid,
              gid: st.gid,
              mtime: Math.floor(st.mtimeMs / 1000),
            }),
          );
        }
        await tarFromTree(out, path, name ? { prefix: name } : {});
      } else if (st.isSymbolicLink()) {
        await out.add(
          newHeader({
            name,
            type: 'symlink',
            linkname: readlinkSync(path),
            uid: st.uid,
            gid: st.gid,
            mtime: Math.floor(st.mtimeMs / 1000),
          }),
        );
      } else {
        await out.add(
          newHeader({
            name,
            type: 'file',
            size: st.size,
            mode: st.mode & 0o7777,
            uid: st.uid,
            gid: st.gid,
            mtime: Math.floor(st.mtimeMs / 1000),
          }),
          { path },
        );
      }
      await out.finish();
      return;
    }
    case 'tar-in': {
      const dest = a!;
      const keep = b === 'keep-owners';
      const top = c ?? '';
      let st: ReturnType<typeof statSync> | null = null;
      try {
        st = statSync(dest);
      } catch {
        st = null;
      }
      if (st?.isDirectory()) {
        await extractTar(process.stdin, dest, { keepOwners: keep });
      } else {
        const parent = dirname(dest);
        try {
          if (!statSync(parent).isDirectory()) fail(`Error: ${parent} is not a directory`);
        } catch {
          fail(`Could not find the file ${parent} in container`, 3);
        }
        if (dest.endsWith('/')) fail(`Error: ${dest} does not exist and is not a directory`);
        if (!top) {
          // the contents of a directory (SRC/.) into a new directory
          mkdirSync(dest);
          await extractTar(process.stdin, dest, { keepOwners: keep });
          return;
        }
        await extractTar(process.stdin, parent, {
          keepOwners: keep,
          ...(top ? { renameTop: { from: top, to: basename(dest) } } : {}),
        });
      }
      return;
    }
    default:
      fail(`unknown operation ${op}`, 2);
  }
}

main().catch((e) => fail((e as Error).message));
