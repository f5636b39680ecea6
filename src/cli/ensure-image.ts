/**
 * `run` and `create` pull the image they need as docker does: with
 * `--pull missing` (the default) when the store does not have it ("Unable
 * to find image 'nginx:alpine' locally" on stderr, then the pull's output,
 * also on stderr), with `--pull always` every time, never with `--pull never`.
 */
import { isBerthError, type Backend } from '../client/api.js';
import { canonicalName, checkReference, familiarRepoTag } from '../client/validate.js';
import { ExitError, UsageError, type Cli } from './context.js';
import { errorMessage } from './errors.js';
import { showPull } from './pulling.js';
import { str, type Opts } from './verb.js';

export function pullPolicy(o: Opts): 'always' | 'missing' | 'never' {
  const p = str(o, 'pull') ?? 'missing';
  if (p !== 'always' && p !== 'missing' && p !== 'never') {
    throw new UsageError(`invalid pull option: '${p}': must be one of "always", "missing" or "never"`);
  }
  return p;
}

async function present(backend: Backend, image: string): Promise<boolean> {
  try {
    await backend.inspectImage(image);
    return true;
  } catch (e) {
    if (isBerthError(e, 'NOT_FOUND')) return false;
    throw e;
  }
}

/** Make sure the image is in the store as the pull policy says; failures end the command with 125, as docker's. */
export async function ensureImage(cli: Cli, backend: Backend, image: string, o: Opts): Promise<void> {
  const policy = pullPolicy(o);
  if (policy === 'never' || checkReference(image) !== null) return;
  const platform = str(o, 'platform');
  try {
    if (policy === 'missing') {
      if (await present(backend, image)) return;
      const name = canonicalName(image);
      cli.err(`Unable to find image '${image.includes('@') ? image : familiarRepoTag(name.full)}' locally`);
    }
    await showPull(cli, backend, image, { out: cli.stderr, ...(platform ? { platform } : {}) });
  } catch (e) {
    throw new ExitError(125, `Error: ${errorMessage(e)}`);
  }
}
