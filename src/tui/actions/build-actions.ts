/**
 * The build dialog's work: the context directory and the Dockerfile checked
 * (relative to the app's directory, as docker build's PATH and -f are), the
 * build run through the backend with its steps drawn live in the dialog
 * (the terminal display of `berth build`: each step, its time, the running
 * step's last lines, at most ten frames a second; a remote engine's classic
 * steps and context upload the same way), Esc cancelling through
 * the dialog's signal (the engine then leaves no image, container, mount or
 * scratch file), the built image selected in Images. A failure keeps the
 * steps in the dialog, the failed one with its last lines.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isTrace, resultOf } from '../../client/api.js';
import { BuildProgress } from '../../client/format/build-progress.js';
import { ClassicBuild, isClassic } from '../../client/format/classic-build.js';
import { shortId } from '../../client/format/table.js';
import { familiarRepoTag } from '../../client/validate.js';
import type { Services } from '../hooks/context.js';
import { buildRequest, buildTags } from '../state/build-forms.js';
import { text } from '../state/form-spec.js';
import type { FormState } from '../state/types.js';
import { revealImage } from './reveal.js';
import { say } from './task.js';
import { cancellable } from './transfer.js';

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
  let dst;
  try {
    dst = statSync(check);
  } catch {
    throw new Error(`dockerfile: ${check}: no such file${dockerfile ? '' : ' (name the Dockerfile)'}`);
  }
  if (!dst.isFile()) throw new Error(`dockerfile: ${check} is not a file`);
  return { context, dockerfile };
}

/** Run the build with its steps in the dialog; resolves to the image ID. Throws its failure or CANCELLED. */
async function run(svc: Services, f: FormState): Promise<string> {
  const d = svc.store.dispatch;
  d({ type: 'formOutput', output: null });
  const { context, dockerfile } = locate(svc, f);
  const req = buildRequest(f, context, dockerfile, process.env);
  const c = cancellable(svc);
  d({
    type: 'formBusy',
    busy: { label: `Building ${text(f.values.context).trim()}`, started: Date.now(), bytes: 0, layers: 0, current: '' },
  });
  const progress = new BuildProgress();
  // a remote engine's classic builder: its steps from the text it streams
  const classic = new ClassicBuild();
  let view: BuildProgress | ClassicBuild = progress;
  let last = 0;
  const show = (finished = false) => {
    last = Date.now();
    d({ type: 'formOutput', output: { header: view.header(last, finished), rows: view.rows(last, 4) } });
  };
  show();
  // the times move on while a step prints nothing
  const tick = setInterval(() => show(), 250);
  let id: string | null = null;
  try {
    for await (const m of svc.backend.buildImage(req, { signal: c.signal })) {
      if (isTrace(m)) progress.apply(m.aux);
      else if (isClassic(m)) {
        view = classic;
        classic.apply(m);
      }
      if (Date.now() - last >= 100) show();
      id = resultOf(m) ?? id;
    }
    if (!id) throw new Error('the build produced no image');
    return id;
  } catch (e) {
    classic.failed = true;
    throw e;
  } finally {
    clearInterval(tick);
    show(true);
    c.end();
  }
}

/** The dialog's Build: run it, close, say what was built and select it in Images. */
export async function build(svc: Services, f: FormState): Promise<void> {
  const id = await run(svc, f);
  const names = buildTags(f).map(familiarRepoTag);
  svc.store.dispatch({ type: 'closeOverlay' });
  say(svc, `built ${names.length ? `${names.join(', ')} (${shortId(id)})` : shortId(id)}`);
  await revealImage(svc, id, names[0] ?? null);
}
