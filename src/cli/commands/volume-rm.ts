/** `berth volume rm [-f] VOLUME...`: refused while in use (with -f, while a running container uses it). */
import { errorMessage } from '../errors.js';
import { bool, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [
    ['volume', 'rm'],
    ['volume', 'remove'],
  ],
  summary: 'Remove one or more volumes',
  configure(cmd) {
    cmd.argument('<VOLUME...>').option('-f, --force', 'Force the removal of one or more volumes');
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    let status = 0;
    for (const name of args) {
      try {
        await backend.removeVolume(name, bool(opts, 'force'));
        cli.out(name);
      } catch (e) {
        cli.err(`Error: ${errorMessage(e)}`);
        status = 1;
      }
    }
    return status;
  },
};
