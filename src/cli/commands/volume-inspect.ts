/** `berth volume inspect [-f TEMPLATE] VOLUME...`. */
import { isBerthError } from '../../client/api.js';
import { printInspect } from '../output.js';
import { str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['volume', 'inspect']],
  summary: 'Display detailed information on one or more volumes',
  configure(cmd) {
    cmd.argument('<VOLUME...>').option('-f, --format <string>', 'Format output using a custom template');
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    const found: unknown[] = [];
    let status = 0;
    for (const name of args) {
      try {
        found.push(await backend.inspectVolume(name));
      } catch (e) {
        if (!isBerthError(e, 'NOT_FOUND')) throw e;
        cli.err(`Error: No such volume: ${name}`);
        status = 1;
      }
    }
    printInspect(cli, found, str(opts, 'format'));
    return status;
  },
};
