/** `berth commit [-a] [-m] [-c CHANGE]... [-p] CONTAINER [REPOSITORY[:TAG]]`. */
import { Option } from 'commander';
import { collect, list, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['commit'], ['container', 'commit']],
  summary: "Create a new image from a container's changes",
  configure(cmd) {
    cmd
      .argument('<CONTAINER>')
      .argument('[REPOSITORY[:TAG]]')
      .option('-a, --author <string>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
      .option('-c, --change <string>', 'Apply Dockerfile instruction to the created image', collect)
      .option('-m, --message <string>', 'Commit message')
      .option('-p, --pause', 'Pause container during commit (-p=false: do not)', true)
      .addOption(new Option('--no-pause').hideHelp());
  },
  async run(cli, args, opts) {
    const id = await (
      await cli.backend()
    ).commitContainer(args[0]!, {
      ...(args[1] ? { repo: args[1] } : {}),
      ...(str(opts, 'author') ? { author: str(opts, 'author')! } : {}),
      ...(str(opts, 'message') ? { message: str(opts, 'message')! } : {}),
      changes: list(opts, 'change'),
      pause: String(opts.pause) !== 'false',
    });
    cli.out(id);
  },
};
