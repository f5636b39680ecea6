/** `berth image prune [-a] [-f]`: remove dangling (or all unused) images. */
import { humanSize } from '../../client/format/humanize.js';
import { confirm } from '../prompt.js';
import { bool, collect, filterFlag, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['image', 'prune']],
  summary: 'Remove unused images',
  configure(cmd) {
    cmd
      .option('-a, --all', 'Remove all unused images, not just dangling ones')
      .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
      .option('-f, --force', 'Do not prompt for confirmation');
  },
  async run(cli, _args, opts) {
    const all = bool(opts, 'all');
    const warning = all
      ? 'WARNING! This will remove all images without at least one container associated to them.'
      : 'WARNING! This will remove all dangling images.';
    if (!bool(opts, 'force') && !(await confirm(cli, warning))) return 0;
    const backend = await cli.backend();
    const report = await backend.pruneImages({ all, filters: filterFlag(opts, 'filter', '--filter') });
    if (report.deleted.length) {
      cli.out('Deleted Images:');
      for (const d of report.deleted) cli.out(d.Untagged ? `untagged: ${d.Untagged}` : `deleted: ${d.Deleted}`);
      cli.out('');
    }
    cli.out(`Total reclaimed space: ${humanSize(report.spaceReclaimed, 4)}`);
  },
};
