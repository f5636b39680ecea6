/** `berth load [-i FILE] [-q]`: load images from an archive (any format docker, podman or skopeo write). */
import { createReadStream, statSync } from 'node:fs';
import { progressLine } from '../progress.js';
import { bool, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['load'], ['image', 'load']],
  summary: 'Load an image from a tar archive or STDIN',
  configure(cmd) {
    cmd
      .option('-i, --input <string>', 'Read from tar archive file, instead of STDIN')
      .option('-q, --quiet', 'Suppress the load output');
  },
  async run(cli, _args, opts) {
    const file = str(opts, 'input');
    if (!file && cli.stdin.isTTY) {
      cli.err('Error: requested load from stdin, but stdin is empty');
      return 1;
    }
    let total: number | undefined;
    if (file) {
      try {
        total = statSync(file).size;
      } catch {
        cli.err(`Error: open ${file}: no such file or directory`);
        return 1;
      }
    }
    const input = file ? createReadStream(file, { highWaterMark: 1 << 20 }) : cli.stdin;
    const quiet = bool(opts, 'quiet');
    const show = !quiet && cli.stderr.isTTY ? progressLine(cli.stderr, 'Loading') : null;
    const backend = await cli.backend();
    try {
      const report = await backend.loadImages(input, {
        ...(show ? { onProgress: (p) => show.update({ ...p, ...(total ? { total } : {}) }) } : {}),
      });
      show?.done();
      for (const n of report.notes) cli.out(n);
      for (const img of report.images) {
        if (!img.tags.length) cli.out(`Loaded image ID: ${img.id}`);
        for (const t of img.tags) cli.out(`Loaded image: ${t}`);
      }
    } finally {
      show?.done();
    }
  },
};
