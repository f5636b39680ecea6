/** `berth diff CONTAINER`: A (added), C (changed), D (deleted) paths since the image. */
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['diff'], ['container', 'diff']],
  summary: "Inspect changes to files or directories on a container's filesystem",
  configure(cmd) {
    cmd.argument('<CONTAINER>');
  },
  async run(cli, args) {
    for (const c of await (await cli.backend()).containerChanges(args[0]!)) cli.out(`${'CAD'[c.Kind]} ${c.Path}`);
  },
};
