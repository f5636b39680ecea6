/** `berth create`: a container from an image, not started. Prints its ID. */
import { configureCreateFlags, createRequest } from '../container-flags.js';
import type { Verb } from '../verb.js';
import { ensureImage } from '../ensure-image.js';

export const verb: Verb = {
  paths: [['create'], ['container', 'create']],
  summary: 'Create a new container',
  configure(cmd) {
    configureCreateFlags(cmd);
  },
  async run(cli, args, opts) {
    const req = createRequest(args, opts, false);
    const backend = await cli.backend();
    await ensureImage(cli, backend, req.image, opts);
    const { id, warnings } = await backend.createContainer(req);
    for (const w of warnings) cli.err(`WARNING: ${w}`);
    cli.out(id);
  },
};
