/** Apply an action to several containers as docker does: print each name done, errors on stderr, exit 1 if any failed. */
import { errorMessage } from './errors.js';
import type { Cli } from './context.js';

export async function eachContainer(cli: Cli, refs: string[], fn: (ref: string) => Promise<unknown>): Promise<number> {
  let status = 0;
  for (const ref of refs) {
    try {
      await fn(ref);
      cli.out(ref);
    } catch (e) {
      cli.err(`Error: ${errorMessage(e)}`);
      status = 1;
    }
  }
  return status;
}
