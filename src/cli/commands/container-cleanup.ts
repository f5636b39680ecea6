/** `berth container cleanup ID`: run by a container's monitor when it exits for good (not for users). */
import { requireFeature } from '../../client/api.js';
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['container', 'cleanup']],
  summary: 'Record a container exit and remove --rm containers (run by the monitor)',
  configure(cmd) {
    cmd.argument('<ID>');
  },
  async run(cli, args) {
    const backend = await cli.backend();
    requireFeature(backend.capabilities(), 'exitHook');
    await backend.cleanupContainer(args[0]!);
  },
};
