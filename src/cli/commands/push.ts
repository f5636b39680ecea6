/** `berth push [-a] [-q] NAME[:TAG]`: docker's push with its output. */
import { messageDisplay } from '../json-messages.js';
import { canonical } from '../reference-names.js';
import { bool, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['push'], ['image', 'push']],
  summary: 'Upload an image to a registry',
  configure(cmd) {
    cmd
      .argument('<NAME[:TAG]>')
      .option('-a, --all-tags', 'Push all tagged images in the repository')
      .option('-q, --quiet', 'Suppress verbose output');
  },
  async run(cli, args, opts) {
    const input = args[0]!;
    const all = bool(opts, 'allTags');
    const quiet = bool(opts, 'quiet');
    const name = canonical(input, { allTags: all });
    if (name.defaulted && !quiet) cli.out('Using default tag: latest');
    const backend = await cli.backend();
    const display = quiet ? null : messageDisplay(cli.stdout);
    for await (const m of backend.pushImage(input, { allTags: all })) display?.show(m);
    if (quiet) cli.out(name.full);
  },
};
