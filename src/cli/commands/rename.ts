/** `berth rename CONTAINER NEW_NAME`. */
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['rename'], ['container', 'rename']],
  summary: 'Rename a container',
  configure(cmd) {
    cmd.argument('<CONTAINER>').argument('<NEW_NAME>');
  },
  async run(cli, args) {
    await (await cli.backend()).renameContainer(args[0]!, args[1]!);
  },
};
