/** `berth pull [-a] [-q] [--platform P] NAME[:TAG|@DIGEST]`: docker's pull with its output. */
import { isBerthError } from '../../client/api.js';
import { ExitError } from '../context.js';
import { showPull } from '../pulling.js';
import { canonical } from '../reference-names.js';
import { bool, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['pull'], ['image', 'pull']],
  summary: 'Download an image from a registry',
  configure(cmd) {
    cmd
      .argument('<NAME[:TAG|@DIGEST]>')
      .option('-a, --all-tags', 'Download all tagged images in the repository')
      .option('--platform <string>', 'Set platform if server is multi-platform capable')
      .option('-q, --quiet', 'Suppress verbose output');
  },
  async run(cli, args, opts) {
    const input = args[0]!;
    const all = bool(opts, 'allTags');
    const quiet = bool(opts, 'quiet');
    const name = canonical(input, { allTags: all });
    if (name.defaulted && !quiet) cli.out('Using default tag: latest');
    const backend = await cli.backend();
    const platform = str(opts, 'platform');
    try {
      await showPull(cli, backend, input, { allTags: all, quiet, ...(platform ? { platform } : {}) });
    } catch (e) {
      if (isBerthError(e, 'CANCELLED')) throw new ExitError(130);
      throw e;
    }
    cli.out(name.full);
  },
};
