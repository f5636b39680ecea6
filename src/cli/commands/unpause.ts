/** `berth unpause CONTAINER...`. */
import { eachContainer } from '../each.js';
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['unpause'], ['container', 'unpause']],
  summary: 'Unpause all processes within one or more containers',
  configure(cmd) {
    cmd.argument('<CONTAINER...>');
  },
  async run(cli, args) {
    const backend = await cli.backend();
    return eachContainer(cli, args, (ref) => backend.unpauseContainer(ref));
  },
};
