/**
 * `berth cp [-a] [-L] CONTAINER:SRC DEST|-` and `berth cp [-a] [-L] SRC|- CONTAINER:DEST`,
 * with docker's naming rules (a trailing "/." copies a directory's contents).
 */
import { lstatSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { PassThrough } from 'node:stream';
import { copyTreeTar, extractHostTar } from '../../client/copy.js';
import { UsageError } from '../context.js';
import { bool, type Verb } from '../verb.js';

function split(arg: string): { ctr: string; path: string } | null {
  if (arg === '-' || arg.startsWith('/') || arg.startsWith('.')) return null;
  const i = arg.indexOf(':');
  if (i <= 0) return null;
  return { ctr: arg.slice(0, i), path: arg.slice(i + 1) };
}

export const verb: Verb = {
  paths: [['cp'], ['container', 'cp']],
  summary: 'Copy files/folders between a container and the local filesystem',
  configure(cmd) {
    cmd
      .argument('<SRC>')
      .argument('<DEST>')
      .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
      .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
      .option('-q, --quiet', 'Suppress progress output during copy');
  },
  async run(cli, args, opts) {
    const [srcArg, destArg] = args as [string, string];
    const src = split(srcArg);
    const dest = split(destArg);
    if (src && dest) throw new UsageError('copying between containers is not supported');
    if (!src && !dest) throw new UsageError('must specify at least one container source');
    const follow = bool(opts, 'followLink');
    const backend = await cli.backend();
    if (src) {
      if (!src.path) throw new UsageError('source path can not be empty');
      const st = await backend.statContainerPath(src.ctr, src.path, follow);
      const contents = st.isDir && /\/\.$/.test(src.path);
      const name = contents ? '' : basename(src.path) || st.name;
      if (destArg === '-') {
        await backend.copyFromContainer(src.ctr, src.path, name, cli.stdout, follow);
        return 0;
      }
      const pass = new PassThrough();
      const extracting = extractHostTar(pass, destArg, { srcIsDir: st.isDir, name, contents });
      await Promise.all([backend.copyFromContainer(src.ctr, src.path, name, pass, follow), extracting]);
      return 0;
    }
    // host -> container
    const d = dest!;
    if (!d.path) throw new UsageError('destination path can not be empty');
    if (srcArg === '-') {
      await backend.copyToContainer(d.ctr, d.path, cli.stdin, '', bool(opts, 'archive'));
      return 0;
    }
    let st;
    try {
      st = follow ? statSync(srcArg) : lstatSync(srcArg);
    } catch {
      cli.err(`Error: lstat ${srcArg}: no such file or directory`);
      return 1;
    }
    const contents = st.isDirectory() && /\/\.$/.test(srcArg);
    const top = contents ? '' : basename(srcArg.replace(/\/+$/, '')) || basename(dirname(srcArg));
    const pass = new PassThrough();
    const producing = copyTreeTar(pass, srcArg, top, follow);
    await Promise.all([backend.copyToContainer(d.ctr, d.path, pass, top, bool(opts, 'archive')), producing]);
  },
};
