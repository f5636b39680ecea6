/** `berth container prune [-f] [--filter until=|label=]`: remove stopped containers. */
import { humanSize } from '../../client/format/humanize.js';
import { parseFilterArgs } from '../../client/filters.js';
import { confirm } from '../prompt.js';
import { bool, collect, list, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['container', 'prune']],
  summary: 'Remove all stopped containers',
  configure(cmd) {
    cmd
      .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
      .option('-f, --force', 'Do not prompt for confirmation');
  },
  async run(cli, _args, opts) {
    if (!bool(opts, 'force') && !(await confirm(cli, 'WARNING! This will remove all stopped containers.'))) return 0;
    const r = await (await cli.backend()).pruneContainers(parseFilterArgs(list(opts, 'filter')));
    if (r.deleted.length) {
      cli.out('Deleted Containers:');
      for (const id of r.deleted) cli.out(id);
      cli.out('');
    }
    cli.out(`Total reclaimed space: ${humanSize(r.spaceReclaimed)}`);
  },
};
