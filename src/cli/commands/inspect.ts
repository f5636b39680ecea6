/** `berth inspect` / `berth image inspect`: docker's inspect output. */
import { isBerthError } from '../../client/api.js';
import { printInspect } from '../output.js';
import { str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['inspect'], ['image', 'inspect']],
  summary: 'Display detailed information on one or more images',
  configure(cmd) {
    cmd
      .argument('<NAME|ID...>')
      .option('-f, --format <string>', 'Format output using a custom template')
      .option('-s, --size', 'Display total file sizes')
      .option('--type <string>', 'Return JSON for specified type (image)');
  },
  async run(cli, args, opts) {
    const type = str(opts, 'type');
    if (type && type !== 'image') {
      cli.err(`Error: "${type}" is not a valid value for --type`);
      return 1;
    }
    const backend = await cli.backend();
    const found: unknown[] = [];
    let status = 0;
    for (const ref of args) {
      try {
        found.push(await backend.inspectImage(ref));
      } catch (e) {
        if (!isBerthError(e, 'NOT_FOUND')) throw e;
        cli.err(`Error: No such object: ${ref}`);
        status = 1;
      }
    }
    printInspect(cli, found, str(opts, 'format'));
    return status;
  },
};
