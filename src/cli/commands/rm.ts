/** `berth rm [-f] [-v] CONTAINER...`. */
import { eachContainer } from '../each.js';
import { bool, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['rm'], ['container', 'rm'], ['container', 'remove']],
  summary: 'Remove one or more containers',
  configure(cmd) {
    cmd
      .argument('<CONTAINER...>')
      .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
      .option('-v, --volumes', 'Remove anonymous volumes associated with the container');
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    return eachContainer(cli, args, (ref) =>
      backend.removeContainer(ref, { force: bool(opts, 'force'), volumes: bool(opts, 'volumes') }),
    );
  },
};
