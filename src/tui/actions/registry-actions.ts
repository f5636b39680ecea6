/**
 * Pull, push and search from the dialogs. A pull or a push draws docker's
 * per-layer lines in the open dialog from the backend's one progress stream
 * (at most ten frames a second, timers only while it runs); Esc cancels
 * through the same signal a save or a load uses (the engine leaves nothing
 * of a cancelled pull). A registry that answers 401 gets the credentials
 * dialog, which goes back to the same pull, push or search with them.
 */
import { isBerthError, type ProgressMessage, type RegistryCredentials, type SearchResult } from '../../client/api.js';
import { addMessage, emptyProgress, type ProgressLines } from '../../client/format/progress-lines.js';
import { familiarRepoTag, registryOf, searchRegistry } from '../../client/validate.js';
import type { Services } from '../hooks/context.js';
import { openForm, openLogin } from '../state/forms.js';
import { edit } from '../state/text-edit.js';
import type { FormState, RegistryRetry } from '../state/types.js';
import { revealImage } from './reveal.js';
import { errorText, say } from './task.js';
import { cancellable } from './transfer.js';

/** How many results a search asks for (docker's default). */
export const SEARCH_LIMIT = 25;

/** Run `stream` with its lines in the dialog; returns the results (aux messages) it sent. Throws its failure. */
async function withProgress(
  svc: Services,
  label: string,
  stream: (signal: AbortSignal) => AsyncIterable<ProgressMessage>,
): Promise<{ aux: Record<string, unknown>[]; lines: ProgressLines }> {
  const d = svc.store.dispatch;
  const c = cancellable(svc);
  let lines = emptyProgress();
  d({ type: 'formBusy', busy: { label, started: Date.now(), bytes: 0, layers: 0, current: '', lines } });
  let last = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    last = Date.now();
    d({ type: 'formProgress', progress: { lines } });
  };
  const aux: Record<string, unknown>[] = [];
  try {
    for await (const m of stream(c.signal)) {
      if (m.aux) aux.push(m.aux);
      lines = addMessage(lines, m);
      const wait = 100 - (Date.now() - last);
      if (wait <= 0) flush();
      else timer ??= setTimeout(flush, wait);
    }
    return { aux, lines };
  } finally {
    if (timer) clearTimeout(timer);
    c.end();
  }
}

/** The words of the last `Status: ...` line ("Downloaded newer image for alpine:3.19"). */
function statusWords(lines: ProgressLines): string | null {
  for (let i = lines.lines.length - 1; i >= 0; i--) {
    const s = lines.lines[i]!.status;
    if (!lines.lines[i]!.id && s.startsWith('Status: ')) return s.slice(8);
  }
  return null;
}

function nameOf(reference: string): string | null {
  try {
    return familiarRepoTag(reference);
  } catch {
    return null; // a digest reference: no tag to show
  }
}

/** A 401: the credentials dialog in place of the one that ran, going back to it afterwards. */
function askCredentials(svc: Services, retry: RegistryRetry, e: unknown): void {
  const server = retry.op === 'search' ? searchRegistry(retry.term) : registryOf(retry.ref);
  svc.store.dispatch({ type: 'formOpen', form: openLogin(server, retry, errorText(e)) });
}

export async function pull(
  svc: Services,
  req: { ref: string; platform: string },
  auth?: RegistryCredentials,
  note = '',
): Promise<void> {
  let r;
  try {
    r = await withProgress(svc, `Pulling ${req.ref}`, (signal) =>
      svc.backend.pullImage(req.ref, {
        signal,
        ...(req.platform ? { platform: req.platform } : {}),
        ...(auth ? { auth } : {}),
      }),
    );
  } catch (e) {
    if (!isBerthError(e, 'UNAUTHORIZED')) throw e;
    return askCredentials(svc, { op: 'pull', ...req }, e);
  }
  const result = (r.aux.at(-1) ?? {}) as { ID?: string; Reference?: string };
  svc.store.dispatch({ type: 'closeOverlay' });
  say(svc, `${statusWords(r.lines) ?? `pulled ${req.ref}`}${note}`);
  if (result.ID) await revealImage(svc, result.ID, result.Reference ? nameOf(result.Reference) : null);
}

export async function push(
  svc: Services,
  req: { ref: string; allTags: boolean },
  auth?: RegistryCredentials,
  note = '',
): Promise<void> {
  let r;
  try {
    r = await withProgress(svc, `Pushing ${req.ref}`, (signal) =>
      svc.backend.pushImage(req.ref, { signal, allTags: req.allTags, ...(auth ? { auth } : {}) }),
    );
  } catch (e) {
    if (!isBerthError(e, 'UNAUTHORIZED')) throw e;
    return askCredentials(svc, { op: 'push', ...req }, e);
  }
  const tags = r.aux as { Tag?: string; Digest?: string; Size?: number }[];
  svc.store.dispatch({ type: 'closeOverlay' });
  const one = tags.length === 1 ? tags[0]! : null;
  say(
    svc,
    one
      ? `pushed ${req.ref}: digest: ${one.Digest} size: ${one.Size}${note}`
      : `pushed ${tags.length} tag${tags.length === 1 ? '' : 's'} of ${req.ref}${note}`,
  );
}

export async function search(svc: Services, term: string, auth?: RegistryCredentials, note = ''): Promise<void> {
  const c = cancellable(svc);
  svc.store.dispatch({
    type: 'formBusy',
    busy: { label: `Searching ${term}`, started: Date.now(), bytes: 0, layers: 0, current: '' },
  });
  let results: SearchResult[];
  try {
    results = await svc.backend.searchImages(term, {
      limit: SEARCH_LIMIT,
      signal: c.signal,
      ...(auth ? { auth } : {}),
    });
  } catch (e) {
    if (!isBerthError(e, 'UNAUTHORIZED')) throw e;
    return askCredentials(svc, { op: 'search', term }, e);
  } finally {
    c.end();
  }
  svc.store.dispatch({ type: 'searchResults', results });
  if (note) say(svc, note.replace(/^; /, ''));
}

/** Enter on a search result: the pull dialog for it, pulling at once (its errors stay there to edit the name). */
export async function pullResult(svc: Services, f: FormState): Promise<void> {
  const chosen = f.results?.[f.pick ?? -1];
  if (!chosen) return;
  svc.store.dispatch({ type: 'formOpen', form: openForm('pull', [chosen.name]) });
  await pull(svc, { ref: chosen.name, platform: '' });
}

/**
 * The credentials dialog confirmed: with Save on, they are checked and saved as `berth login` does
 * (docker's login saves them too); then the pull, the push or the search runs again with them. The password
 * lives in this call and in the dialog's state only.
 */
export async function loginAndRetry(
  svc: Services,
  f: FormState,
  creds: RegistryCredentials & { save: boolean },
): Promise<void> {
  const retry = f.retry;
  const server = f.refs[0]!;
  if (!retry) return;
  const auth = { username: creds.username, password: creds.password };
  let note = '';
  if (creds.save) {
    svc.store.dispatch({
      type: 'formBusy',
      busy: { label: `Logging in to ${server}`, started: Date.now(), bytes: 0, layers: 0, current: '' },
    });
    const c = cancellable(svc);
    try {
      const r = await svc.backend.login(server, auth, c.signal);
      note = `; logged in to ${server}, credentials saved ${r.helper ? `with docker-credential-${r.helper}` : `in ${r.configPath}`}`;
    } finally {
      c.end();
    }
  }
  if (retry.op === 'search') {
    const form = openForm('search');
    svc.store.dispatch({ type: 'formOpen', form: { ...form, values: { term: edit(retry.term) } } });
    return search(svc, retry.term, auth, note);
  }
  if (retry.op === 'pull') {
    const form = openForm('pull', [retry.ref]);
    svc.store.dispatch({
      type: 'formOpen',
      form: { ...form, values: { ...form.values, platform: edit(retry.platform) } },
    });
    return pull(svc, retry, auth, note);
  }
  const form = openForm('push', [retry.ref], [retry.ref]);
  svc.store.dispatch({ type: 'formOpen', form: { ...form, values: { ...form.values, allTags: retry.allTags } } });
  return push(svc, retry, auth, note);
}
