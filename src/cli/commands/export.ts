/** `berth export [-o FILE] CONTAINER`: the flattened file system as a tar (no partial file on failure). */
import { createWriteStream, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['export'], ['container', 'export']],
  summary: "Export a container's filesystem as a tar archive",
  configure(cmd) {
    cmd.argument('<CONTAINER>').option('-o, --output <string>', 'Write to a file, instead of STDOUT');
  },
  async run(cli, args, opts) {
    const file = str(opts, 'output');
    if (!file && cli.stdout.isTTY) {
      cli.err('Error: cowardly refusing to save to a terminal. Use the -o flag or redirect');
      return 1;
    }
    const backend = await cli.backend();
    await backend.containerId(args[0]!); // fail before creating a file
    const tmp = file ? join(dirname(file), `.${basename(file)}.berth-${process.pid}.tmp`) : null;
    const out = tmp ? createWriteStream('', { fd: openSync(tmp, 'wx', 0o644) }) : cli.stdout;
    try {
      await backend.exportContainer(args[0]!, out);
      if (tmp && file) renameSync(tmp, file);
    } catch (e) {
      if (tmp) {
        out.destroy();
        rmSync(tmp, { force: true });
      }
      throw e;
    }
  },
};
