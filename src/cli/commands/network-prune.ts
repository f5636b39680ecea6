/** `berth network prune [-f] [--filter until=|label=]`: user-defined networks no running container is on. */
import { parseFilterArgs } from '../../client/filters.js';
import { confirm } from '../prompt.js';
import { bool, collect, list, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['network', 'prune']],
  summary: 'Remove all unused networks',
  configure(cmd) {
    cmd
      .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
      .option('-f, --force', 'Do not prompt for confirmation');
  },
  async run(cli, _args, opts) {
    const warning = 'WARNING! This will remove all custom networks not used by at least one container.';
    if (!bool(opts, 'force') && !(await confirm(cli, warning))) return 0;
    const r = await (await cli.backend()).pruneNetworks(parseFilterArgs(list(opts, 'filter')));
    if (r.deleted.length) {
      cli.out('Deleted Networks:');
      for (const n of r.deleted) cli.out(n);
      cli.out('');
    }
  },
};
