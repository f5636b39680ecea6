/** `berth wait CONTAINER...`: block until each stops, print its exit code. */
import { errorMessage } from '../errors.js';
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['wait'], ['container', 'wait']],
  summary: 'Block until one or more containers stop, then print their exit codes',
  configure(cmd) {
    cmd.argument('<CONTAINER...>');
  },
  async run(cli, args) {
    const backend = await cli.backend();
    let status = 0;
    for (const ref of args) {
      try {
        cli.out(String((await backend.waitContainer(ref)).exitCode));
      } catch (e) {
        cli.err(`Error: ${errorMessage(e)}`);
        status = 1;
      }
    }
    return status;
  },
};
