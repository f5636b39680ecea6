/** `berth stop [-t N] [-s SIG] CONTAINER...`: the stop signal, then SIGKILL after the timeout. */
import { eachContainer } from '../each.js';
import { str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['stop'], ['container', 'stop']],
  summary: 'Stop one or more running containers',
  configure(cmd) {
    cmd
      .argument('<CONTAINER...>')
      .option('-t, --time <int>', 'Seconds to wait before killing it (-1: wait forever)')
      .option('-s, --signal <string>', 'Signal to send to the container');
  },
  async run(cli, args, opts) {
    const t = str(opts, 'time');
    if (t !== undefined && !/^-?\d+$/.test(t)) {
      cli.err(`berth: invalid argument "${t}" for "-t, --time" flag: must be an integer`);
      return 125;
    }
    const backend = await cli.backend();
    return eachContainer(cli, args, (ref) =>
      backend.stopContainer(ref, t !== undefined ? Number(t) : undefined, str(opts, 'signal')),
    );
  },
};
