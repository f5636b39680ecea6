/** `berth pause CONTAINER...`: freeze every process (cgroup freezer). */
import { eachContainer } from '../each.js';
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['pause'], ['container', 'pause']],
  summary: 'Pause all processes within one or more containers',
  configure(cmd) {
    cmd.argument('<CONTAINER...>');
  },
  async run(cli, args) {
    const backend = await cli.backend();
    return eachContainer(cli, args, (ref) => backend.pauseContainer(ref));
  },
};
