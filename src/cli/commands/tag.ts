/** `berth tag SOURCE TARGET`. */
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['tag'], ['image', 'tag']],
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  configure(cmd) {
    cmd.argument('<SOURCE_IMAGE[:TAG]>').argument('<TARGET_IMAGE[:TAG]>');
  },
  async run(cli, args) {
    await (await cli.backend()).tagImage(args[0]!, args[1]!);
  },
};
