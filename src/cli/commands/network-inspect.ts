/** `berth network inspect [-f TEMPLATE] NETWORK...`: docker's NetworkResource. */
import { isBerthError } from '../../client/api.js';
import { printInspect } from '../output.js';
import { str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['network', 'inspect']],
  summary: 'Display detailed information on one or more networks',
  configure(cmd) {
    cmd.argument('<NETWORK...>').option('-f, --format <string>', 'Format output using a custom template');
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    const found: unknown[] = [];
    let status = 0;
    for (const ref of args) {
      try {
        found.push(await backend.inspectNetwork(ref));
      } catch (e) {
        if (!isBerthError(e, 'NOT_FOUND')) throw e;
        cli.err(`Error: No such network: ${ref}`);
        status = 1;
      }
    }
    printInspect(cli, found, str(opts, 'format'));
    return status;
  },
};
