/** `berth logout [SERVER]`: forget a registry's credentials (docker's messages). */
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['logout']],
  summary: 'Log out from a registry',
  configure(cmd) {
    cmd.argument('[SERVER]');
  },
  async run(cli, args) {
    const r = await (await cli.backend()).logout(args[0]);
    cli.out(r.removed ? `Removing login credentials for ${r.server}` : `Not logged in to ${r.server}`);
  },
};
