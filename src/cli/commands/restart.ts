/** `berth restart [-t N] CONTAINER...`. */
import { eachContainer } from '../each.js';
import { str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['restart'], ['container', 'restart']],
  summary: 'Restart one or more containers',
  configure(cmd) {
    cmd.argument('<CONTAINER...>').option('-t, --time <int>', 'Seconds to wait before killing the container');
  },
  async run(cli, args, opts) {
    const t = str(opts, 'time');
    const backend = await cli.backend();
    return eachContainer(cli, args, (ref) => backend.restartContainer(ref, t !== undefined ? Number(t) : undefined));
  },
};
