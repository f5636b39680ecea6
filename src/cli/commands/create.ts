/** `berth create`: a container from an image, not started. Prints its ID. */
import { configureCreateFlags, createRequest } from '../container-flags.js';
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['create'], ['container', 'create']],
  summary: 'Create a new container',
  configure(cmd) {
    configureCreateFlags(cmd);
  },
  async run(cli, args, opts) {
    const { id, warnings } = await (await cli.backend()).createContainer(createRequest(args, opts, false));
    for (const w of warnings) cli.err(`WARNING: ${w}`);
    cli.out(id);
  },
};
