/**
 * The build dialog's work: the context directory and Dockerfile checked
 * (relative to the app's directory, as docker build's PATH and -f are),
 * the build run through the backend with its steps shown live in the
 * dialog (the terminal display of `berth build`: each step, its time, the
 * running step's last lines), Esc cancelling through an AbortSignal (the
 * engine then leaves no image, container or scratch files). A failure
 * keeps the steps in the dialog, the failed one with its last lines.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isTrace, resultOf } from '../../client/api.js';
import { BuildProgress } from '../../client/format/build-progress.js';
import type { Services } from '../hooks/context.js';
import { buildRequest, text } from '../state/forms.js';
import type { FormState } from '../state/types.js';
import { beginCancellable, endCancellable } from './transfer.js';

const expand = (svc: Services, p: string) => resolve(svc.cwd, p.trim().replace(/^~(?=\/|$)/, process.env.HOME ?? '~'));

/** The context directory and the Dockerfile (null: the context's); throws "field: ..." for the dialog. */
function locate(svc: Services, f: FormState): { context: string; dockerfile: string | null } {
  const context = expand(svc, text(f.values.context));
  let st;
  try {
    st = statSync(context);
  } catch {
    throw new Error(`context: ${context}: no such directory`);
  }
  if (!st.isDirectory()) throw new Error(`context: ${context} is not a directory`);
  const df = text(f.values.dockerfile).trim();
  const dockerfile = df ? expand(svc, df) : null;
  const check = dockerfile ?? resolve(context, 'Dockerfile');
  try {
    if (!statSync(check).isFile()) throw new Error(`dockerfile: ${check} is not a file`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`dockerfile: ${check}: no such file${dockerfile ? '' : ' (name one)'}`);
    throw e;
  }
  return { context, dockerfile };
}

/** Build from the dialog's values; resolves to the image ID. */
export async function buildFrom(svc: Services, f: FormState): Promise<string> {
  const { context, dockerfile } = locate(svc, f);
  const req = buildRequest(f, context, dockerfile);
  const ac = beginCancellable(svc, `Building ${text(f.values.context).trim()}`);
  const progress = new BuildProgress();
  const show = (finished = false) => {
    const now = Date.now();
    svc.store.dispatch({
      type: 'formOutput',
      output: { header: progress.header(now, finished), rows: progress.rows(now, 4) },
    });
  };
  show();
  // times move on while a step prints nothing; updates at most ten times a second
  const tick = setInterval(() => show(), 250);
  let last = 0;
  let id: string | null = null;
  try {
    for await (const m of svc.backend.buildImage(req, { signal: ac.signal })) {
      if (isTrace(m)) {
        progress.apply(m.aux);
        if (Date.now() - last >= 100) {
          last = Date.now();
          show();
        }
      }
      id = resultOf(m) ?? id;
    }
    if (!id) throw new Error('the build produced no image');
    return id;
  } finally {
    clearInterval(tick);
    show(true);
    endCancellable(svc);
  }
}
