/** `berth network disconnect [-f] NETWORK CONTAINER`. */
import { bool, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['network', 'disconnect']],
  summary: 'Disconnect a container from a network',
  configure(cmd) {
    cmd
      .argument('<NETWORK>')
      .argument('<CONTAINER>')
      .option('-f, --force', 'Force the container to disconnect from a network');
  },
  async run(cli, args, opts) {
    await (await cli.backend()).disconnectNetwork(args[0]!, args[1]!, bool(opts, 'force'));
  },
};
