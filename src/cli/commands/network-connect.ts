/** `berth network connect [--alias A]... [--ip IP] NETWORK CONTAINER`: at once if it runs, else from its next start. */
import { collect, list, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['network', 'connect']],
  summary: 'Connect a container to a network',
  configure(cmd) {
    cmd
      .argument('<NETWORK>')
      .argument('<CONTAINER>')
      .option('--alias <strings>', 'Add network-scoped alias for the container', collect)
      .option('--ip <string>', 'IPv4 address (e.g., 172.30.100.104)');
  },
  async run(cli, args, opts) {
    const ip = str(opts, 'ip');
    await (
      await cli.backend()
    ).connectNetwork(args[0]!, args[1]!, { aliases: list(opts, 'alias'), ...(ip ? { ip } : {}) });
  },
};
