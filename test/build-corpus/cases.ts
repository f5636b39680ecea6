/**
 * The build corpus: each case is a Dockerfile in test/build-corpus/<name>/
 * and the context it builds, made here (modes, owners, symlinks, hard links
 * and archives that a checkout cannot hold). Together the cases use every
 * instruction and flag the peer docker's BuildKit knows; what it does not
 * (heredocs, --link, --checksum, RUN --network) is tested on berth alone
 * (build-features.test.ts).
 */
import { chmodSync, chownSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tarBuffer } from '../helpers/archives.js';

export const CORPUS = dirname(fileURLToPath(import.meta.url));

export interface Case {
  name: string;
  /** Make the context in `dir` (the Dockerfile is copied in by the caller). */
  setup?(dir: string, env: { server: string }): Promise<void> | void;
  buildArgs?(env: { server: string; parent?: string }): Record<string, string>;
  secrets?: Record<string, string>;
  target?: string;
  /** Base images the case needs in both engines (fixture archives). */
  needs: string[];
}

function put(dir: string, rel: string, data: string | Buffer, mode = 0o644): void {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
  chmodSync(p, mode);
}

export async function archiveTar(): Promise<Buffer> {
  return tarBuffer([
    { h: { name: 'top/', type: 'dir', mode: 0o755, uid: 123, gid: 456 } },
    { h: { name: 'top/f', type: 'file', mode: 0o640, uid: 123, gid: 456 }, data: 'in the archive\n' },
    { h: { name: 'top/link', type: 'symlink', linkname: 'f', mode: 0o777 } },
    { h: { name: 'top/sub/', type: 'dir', mode: 0o700 } },
    { h: { name: 'top/sub/g', type: 'file', mode: 0o755, uid: 1, gid: 2 }, data: 'deeper\n' },
  ]);
}

export async function gzip(b: Buffer): Promise<Buffer> {
  const z = createGzip();
  const parts: Buffer[] = [];
  z.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((r) => z.on('end', r));
  z.end(b);
  await done;
  return Buffer.concat(parts);
}

export const cases: Case[] = [
  { name: 'instructions', needs: ['busybox'], buildArgs: () => ({ BUILD_ONLY: 'given' }) },
  {
    name: 'copy',
    needs: ['busybox'],
    setup(dir) {
      put(dir, 'file.txt', 'file\n');
      put(dir, 'script.sh', '#!/bin/sh\necho hi\n', 0o755);
      put(dir, 'a.txt', 'a\n');
      put(dir, 'b.txt', 'b\n');
      put(dir, 'dir/a', 'dir a\n');
      put(dir, 'dir/sub/b', 'dir sub b\n', 0o600);
      put(dir, 'dir/.hidden', 'hidden\n');
      symlinkSync('a', join(dir, 'dir/link'));
      put(dir, 'links/target', 'link target\n');
      symlinkSync('../../../etc/hostname', join(dir, 'links/escape'));
      symlinkSync('/etc/passwd', join(dir, 'links/absolute'));
      symlinkSync('target', join(dir, 'links/relative'));
      symlinkSync('dir/a', join(dir, 'toplink'));
      put(dir, 'keep/x.log', 'kept by an exception\n');
      put(dir, 'keep/y.tmp', 'ignored by **\n');
      put(dir, 'ignored.log', 'ignored\n');
      put(dir, 'node_modules/m/index.js', 'ignored dir\n');
      put(dir, 'hard/one', 'same inode\n');
      linkSync(join(dir, 'hard/one'), join(dir, 'hard/two'));
      put(dir, 'owned.txt', 'owned by someone\n', 0o640);
      chownSync(join(dir, 'owned.txt'), 1234, 5678);
      put(dir, 'modes/suid', 'setuid\n', 0o4755);
      put(dir, 'modes/ro', 'read only\n', 0o400);
      put(dir, 'modes/dir-700/f', 'in a private dir\n');
      chmodSync(join(dir, 'modes/dir-700'), 0o700);
      put(dir, '.dockerignore', '*.log\n!keep/*.log\nnode_modules\n**/*.tmp\n');
    },
  },
  {
    name: 'add',
    needs: ['busybox'],
    async setup(dir) {
      const tar = await archiveTar();
      put(dir, 'archive.tar', tar);
      put(dir, 'archive.tar.gz', await gzip(tar));
      put(dir, 'plain.txt', 'plain\n');
    },
    buildArgs: (env) => ({ SERVER: env.server }),
  },
  {
    name: 'multistage',
    needs: ['busybox'],
    setup(dir) {
      put(dir, 'file.txt', 'bound file\n');
    },
    secrets: { token: 'not so secret\n' },
  },
  { name: 'multistage', target: 'derived', needs: ['busybox'] },
  { name: 'whiteouts', needs: ['layers'] },
];

export function dockerfile(name: string): string {
  return readFileSync(join(CORPUS, name, 'Dockerfile'), 'utf8');
}
