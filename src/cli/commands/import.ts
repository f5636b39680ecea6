/** `berth import [-c CHANGE]... [-m MSG] FILE|-|URL [REPOSITORY[:TAG]]`: a one-layer image from a flat tar. */
import { createReadStream, statSync } from 'node:fs';
import { collect, list, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['import'], ['image', 'import']],
  summary: 'Import the contents from a tarball to create a filesystem image',
  configure(cmd) {
    cmd
      .argument('<file|URL|->')
      .argument('[REPOSITORY[:TAG]]')
      .option('-c, --change <string>', 'Apply Dockerfile instruction to the created image', collect)
      .option('-m, --message <string>', 'Set commit message for imported image')
      .option(
        '--platform <string>',
        'Set platform (os[/arch[/variant]]) of the image; the host architecture by default',
      );
  },
  async run(cli, args, opts) {
    const [src, tag] = args as [string, string | undefined];
    const isUrl = /^https?:\/\//.test(src);
    let input: NodeJS.ReadableStream | string;
    if (src === '-') {
      input = cli.stdin;
    } else if (isUrl) {
      input = src;
    } else {
      try {
        statSync(src);
      } catch {
        cli.err(`Error: open ${src}: no such file or directory`);
        return 1;
      }
      input = createReadStream(src, { highWaterMark: 1 << 20 });
    }
    const backend = await cli.backend();
    const message = str(opts, 'message');
    const platform = str(opts, 'platform');
    const id = await backend.importImage(input as never, {
      changes: list(opts, 'change'),
      ...(message ? { message } : {}),
      ...(platform ? { platform } : {}),
      source: isUrl ? src : '-',
      ...(tag ? { tag } : {}),
    });
    cli.out(id);
  },
};
