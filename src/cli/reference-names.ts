/** How docker's CLI names a reference: the canonical form it prints after a pull or a push. */
import { canonicalName } from '../client/validate.js';
import { ExitError } from './context.js';

/** canonicalName, with a bad reference ending the command as docker's CLI ends it (the message alone, exit 1). */
export function canonical(input: string, opts: { allTags?: boolean } = {}): { full: string; defaulted: boolean } {
  try {
    return canonicalName(input, !!opts.allTags);
  } catch (e) {
    throw new ExitError(1, (e as Error).message);
  }
}
