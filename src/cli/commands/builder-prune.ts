/** `berth builder prune [-a] [-f] [--filter F]`: remove build cache, as docker does. */
import { humanSize } from '../../client/format/humanize.js';
import { confirm } from '../prompt.js';
import { bool, collect, filterFlag, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['builder', 'prune']],
  summary: 'Remove build cache',
  configure(cmd) {
    cmd
      .option('-a, --all', 'Remove all unused build cache, not just dangling ones')
      .option('--filter <filter>', "Provide filter values (e.g. 'until=24h')", collect)
      .option('-f, --force', 'Do not prompt for confirmation');
  },
  async run(cli, _args, opts) {
    const all = bool(opts, 'all');
    const warning = all
      ? 'WARNING! This will remove all build cache.'
      : 'WARNING! This will remove all dangling build cache.';
    if (!bool(opts, 'force') && !(await confirm(cli, warning))) return 0;
    const backend = await cli.backend();
    const r = await backend.pruneBuildCache({ all, filters: filterFlag(opts, 'filter', '--filter') });
    if (r.deleted.length) {
      cli.out('Deleted build cache objects:');
      for (const id of r.deleted) cli.out(id.slice(0, 25));
      cli.out('');
    }
    cli.out(`Total reclaimed space: ${humanSize(r.spaceReclaimed, 4)}`);
  },
};
