/** `berth network rm NETWORK...`: refused while a running container is on it (docker's "has active endpoints"). */
import { isBerthError } from '../../client/api.js';
import { errorMessage } from '../errors.js';
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [
    ['network', 'rm'],
    ['network', 'remove'],
  ],
  summary: 'Remove one or more networks',
  configure(cmd) {
    cmd.argument('<NETWORK...>');
  },
  async run(cli, args) {
    const backend = await cli.backend();
    let status = 0;
    for (const ref of args) {
      try {
        await backend.removeNetwork(ref);
        cli.out(ref);
      } catch (e) {
        cli.err(`Error: ${isBerthError(e, 'NOT_FOUND') ? `No such network: ${ref}` : errorMessage(e)}`);
        status = 1;
      }
    }
    return status;
  },
};
