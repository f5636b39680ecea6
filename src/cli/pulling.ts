/** Pulling with docker's output, for `pull` and for the images `run` and `create` do not have. */
import type { Backend, PullOptions } from '../client/api.js';
import type { Cli } from './context.js';
import { messageDisplay } from './json-messages.js';

/** Stream a pull's messages to `out` (none when quiet); returns the aux result (image ID, digest, reference). */
export async function showPull(
  cli: Cli,
  backend: Backend,
  ref: string,
  opts: PullOptions & { quiet?: boolean; out?: NodeJS.WriteStream },
): Promise<{ ID?: string; Digest?: string; Reference?: string }> {
  const out = opts.out ?? cli.stdout;
  const display = opts.quiet ? null : messageDisplay(out);
  let result = {};
  for await (const m of backend.pullImage(ref, opts)) {
    if (m.aux) result = m.aux;
    display?.show(m);
  }
  return result;
}
