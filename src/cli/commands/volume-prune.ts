/** `berth volume prune [-a] [-f] [--filter label=]`: unused anonymous volumes (all unused with -a). */
import { humanSize } from '../../client/format/humanize.js';
import { parseFilterArgs } from '../../client/filters.js';
import { confirm } from '../prompt.js';
import { bool, collect, list, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['volume', 'prune']],
  summary: 'Remove unused local volumes',
  configure(cmd) {
    cmd
      .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
      .option('--filter <filter>', 'Provide filter values (e.g. "label=<label>")', collect)
      .option('-f, --force', 'Do not prompt for confirmation');
  },
  async run(cli, _args, opts) {
    const all = bool(opts, 'all');
    const warning = all
      ? 'WARNING! This will remove all local volumes not used by at least one container.'
      : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
    if (!bool(opts, 'force') && !(await confirm(cli, warning))) return 0;
    const r = await (await cli.backend()).pruneVolumes({ all, filters: parseFilterArgs(list(opts, 'filter')) });
    if (r.deleted.length) {
      cli.out('Deleted Volumes:');
      for (const n of r.deleted) cli.out(n);
      cli.out('');
    }
    cli.out(`Total reclaimed space: ${humanSize(r.spaceReclaimed)}`);
  },
};
