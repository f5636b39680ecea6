/** `berth inspect` (containers, then images) / `berth image inspect` / `berth container inspect`. */
import { isBerthError, type Backend } from '../../client/api.js';
import { imageInspectView } from '../../client/format/image-inspect-view.js';
import { errorMessage } from '../errors.js';
import { printInspect } from '../output.js';
import { bool, str, type Opts, type Verb } from '../verb.js';

type Kind = 'container' | 'image';

async function lookup(
  backend: Backend,
  ref: string,
  kinds: Kind[],
  size: boolean,
): Promise<{ kind: Kind; obj: unknown } | null> {
  for (const k of kinds) {
    try {
      return {
        kind: k,
        obj: k === 'container' ? await backend.inspectContainer(ref, size) : await backend.inspectImage(ref),
      };
    } catch (e) {
      if (!isBerthError(e, 'NOT_FOUND')) throw e;
    }
  }
  return null;
}

function verbFor(paths: string[][], kinds: Kind[] | null, summary: string): Verb {
  return {
    paths,
    summary,
    configure(cmd) {
      cmd
        .argument('<NAME|ID...>')
        .option('-f, --format <string>', 'Format output using a custom template')
        .option('-s, --size', 'Display total file sizes');
      if (!kinds) cmd.option('--type <string>', 'Return JSON for specified type (container, image)');
    },
    async run(cli, args, opts: Opts) {
      let want = kinds ?? (['container', 'image'] as Kind[]);
      const type = str(opts, 'type');
      if (!kinds && type) {
        if (type !== 'image' && type !== 'container') {
          cli.err(`Error: "${type}" is not a valid value for --type`);
          return 1;
        }
        want = [type];
      }
      const backend = await cli.backend();
      const found: { kind: Kind; obj: unknown }[] = [];
      let status = 0;
      for (const ref of args) {
        let hit: Awaited<ReturnType<typeof lookup>> = null;
        try {
          hit = await lookup(backend, ref, want, bool(opts, 'size'));
        } catch (e) {
          // an ambiguous ID, a bad name: say so and go on with the others, as docker does
          cli.err(`Error: ${errorMessage(e)}`);
          status = 1;
          continue;
        }
        if (hit) found.push(hit);
        else {
          cli.err(want.length === 1 ? `Error: No such ${want[0]}: ${ref}` : `Error: No such object: ${ref}`);
          status = 1;
        }
      }
      // templates see images as docker's typed ImageInspect
      printInspect(
        cli,
        found.map((f) => f.obj),
        str(opts, 'format'),
        (o, i) => (found[i]!.kind === 'image' ? imageInspectView(o) : o),
      );
      return status;
    },
  };
}

export const verb = verbFor([['inspect']], null, 'Return low-level information on containers and images');
export const imageVerb = verbFor(
  [['image', 'inspect']],
  ['image'],
  'Display detailed information on one or more images',
);
export const containerVerb = verbFor(
  [['container', 'inspect']],
  ['container'],
  'Display detailed information on one or more containers',
);
