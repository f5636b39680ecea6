/**
 * `berth save [-o FILE] IMAGE...`: several images and tags in one archive.
 * With -o the archive is written to a temporary name beside FILE and renamed
 * when complete, so a failure or Ctrl-C leaves no partial file.
 */
import { createWriteStream, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { progressLine } from '../progress.js';
import { str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['save'], ['image', 'save']],
  summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  configure(cmd) {
    cmd.argument('<IMAGE...>').option('-o, --output <string>', 'Write to a file, instead of STDOUT');
  },
  async run(cli, args, opts) {
    const file = str(opts, 'output');
    if (!file && cli.stdout.isTTY) {
      cli.err('Error: cowardly refusing to save to a terminal. Use the -o flag or redirect');
      return 1;
    }
    const backend = await cli.backend();
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const tmp = file ? join(dirname(file), `.${basename(file)}.berth-${process.pid}.tmp`) : null;
    const show = file && cli.stderr.isTTY ? progressLine(cli.stderr, 'Saving') : null;
    // Opened synchronously so that removing it on failure cannot race its creation.
    const out = tmp ? createWriteStream('', { fd: openSync(tmp, 'wx', 0o644) }) : cli.stdout;
    try {
      await backend.saveImages(args, out, {
        signal: controller.signal,
        ...(show ? { onProgress: (p) => show.update(p) } : {}),
      });
      show?.done();
      if (tmp && file) renameSync(tmp, file);
    } catch (e) {
      if (tmp) {
        out.destroy();
        rmSync(tmp, { force: true });
      }
      throw e;
    } finally {
      show?.done();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
