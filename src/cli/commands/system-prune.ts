/** `berth system prune [-a] [-f] [--volumes]`: remove unused data. */
import { humanSize } from '../../client/format/humanize.js';
import { confirm } from '../prompt.js';
import { bool, collect, filterFlag, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['system', 'prune']],
  summary: 'Remove unused data',
  configure(cmd) {
    cmd
      .option('-a, --all', 'Remove all unused images not just dangling ones')
      .option('--filter <filter>', 'Provide filter values (e.g. "label=<key>=<value>")', collect)
      .option('-f, --force', 'Do not prompt for confirmation')
      .option('--volumes', 'Prune anonymous volumes');
  },
  async run(cli, _args, opts) {
    const all = bool(opts, 'all');
    const lines = [
      'WARNING! This will remove:',
      '  - all stopped containers',
      ...(bool(opts, 'volumes') ? ['  - all anonymous volumes not used by at least one container'] : []),
      all ? '  - all images without at least one container associated to them' : '  - all dangling images',
      all ? '  - all build cache' : '  - all dangling build cache',
      '',
    ];
    if (!bool(opts, 'force') && !(await confirm(cli, lines.join('\n')))) return 0;
    const backend = await cli.backend();
    const filters = filterFlag(opts, 'filter', '--filter');
    // as docker: containers first, so the images they held can go too
    const containers = await backend.pruneContainers(filters);
    if (containers.deleted.length) {
      cli.out('Deleted Containers:');
      for (const id of containers.deleted) cli.out(id);
      cli.out('');
    }
    let volumeSpace = 0;
    if (bool(opts, 'volumes')) {
      const vols = await backend.pruneVolumes({
        filters: new Map([...filters].filter(([k]) => k.startsWith('label'))),
      });
      volumeSpace = vols.spaceReclaimed;
      if (vols.deleted.length) {
        cli.out('Deleted Volumes:');
        for (const n of vols.deleted) cli.out(n);
        cli.out('');
      }
    }
    const images = await backend.pruneImages({ all, filters });
    if (images.deleted.length) {
      cli.out('Deleted Images:');
      for (const d of images.deleted) cli.out(d.Untagged ? `untagged: ${d.Untagged}` : `deleted: ${d.Deleted}`);
      cli.out('');
    }
    const cache = await backend.pruneBuildCache({
      all,
      filters: new Map([...filters].filter(([k]) => k === 'until')),
    });
    if (cache.deleted.length) {
      cli.out('Deleted build cache objects:');
      for (const id of cache.deleted) cli.out(id.slice(0, 25));
      cli.out('');
    }
    cli.out(
      `Total reclaimed space: ${humanSize(images.spaceReclaimed + containers.spaceReclaimed + volumeSpace + cache.spaceReclaimed, 4)}`,
    );
  },
};
