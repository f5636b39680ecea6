/** `berth kill [-s SIG] CONTAINER...`. */
import { eachContainer } from '../each.js';
import { str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['kill'], ['container', 'kill']],
  summary: 'Kill one or more running containers',
  configure(cmd) {
    cmd.argument('<CONTAINER...>').option('-s, --signal <string>', 'Signal to send to the container', 'KILL');
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    return eachContainer(cli, args, (ref) => backend.killContainer(ref, str(opts, 'signal')));
  },
};
