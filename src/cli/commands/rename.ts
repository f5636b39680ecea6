/** `berth rename CONTAINER NEW_NAME`. */
import { errorMessage } from '../errors.js';
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['rename'], ['container', 'rename']],
  summary: 'Rename a container',
  configure(cmd) {
    cmd.argument('<CONTAINER>').argument('<NEW_NAME>');
  },
  async run(cli, args) {
    try {
      await (await cli.backend()).renameContainer(args[0]!, args[1]!);
    } catch (e) {
      cli.err(`Error: ${errorMessage(e)}`);
      cli.err(`Error: failed to rename container named ${args[0]}`);
      return 1;
    }
  },
};
