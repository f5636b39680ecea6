/** `berth rmi` / `berth image rm`: untag and delete images, docker's rules. */
import { errorMessage } from '../errors.js';
import { bool, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['rmi'], ['image', 'rm'], ['image', 'remove']],
  summary: 'Remove one or more images',
  configure(cmd) {
    cmd
      .argument('<IMAGE...>')
      .option('-f, --force', 'Force removal of the image')
      .option('--no-prune', 'Do not delete untagged parents');
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    let status = 0;
    for (const ref of args) {
      try {
        const items = await backend.removeImage(ref, { force: bool(opts, 'force'), noPrune: opts.prune === false });
        for (const it of items) cli.out(it.Untagged ? `Untagged: ${it.Untagged}` : `Deleted: ${it.Deleted}`);
      } catch (e) {
        cli.err(`Error: ${errorMessage(e)}`);
        status = 1;
      }
    }
    return status;
  },
};
