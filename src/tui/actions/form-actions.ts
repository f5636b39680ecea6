/**
 * What the dialogs do when confirmed: validate (the dialog stays open with
 * the message next to the field), run the work with progress, then close,
 * select what was made (the committed image, the new tag, the loaded
 * images, the new container or volume) and say so in the footer. An engine
 * error keeps the dialog open with the engine's message.
 */
import { isBerthError } from '../../client/api.js';
import { humanSize } from '../../client/format/humanize.js';
import { shortId } from '../../client/format/table.js';
import { familiarRepoTag } from '../../client/validate.js';
import type { Services } from '../hooks/context.js';
import {
  commitRequest,
  connectRequest,
  flag,
  FORMS,
  networkRequest,
  runRequest,
  text,
  validateForm,
  volumeRequest,
} from '../state/forms.js';
import { credentials, pullRequest, pushRequest } from '../state/registry-forms.js';
import type { FormState, ListId } from '../state/types.js';
import { build } from './build-actions.js';
import { loginAndRetry, pull, pullResult, push, search } from './registry-actions.js';
import { errorText, say } from './task.js';
import { startAttached } from './terminal-actions.js';
import { cancelTransfer, exportTo, loadFrom, saveTo } from './transfer.js';
import { track } from './work.js';

async function reveal(svc: Services, list: ListId, key: string): Promise<void> {
  await svc.feed.refresh(list);
  svc.store.dispatch({ type: 'select', list, key, focus: true });
}

function finish(svc: Services, message: string): void {
  svc.store.dispatch({ type: 'closeOverlay' });
  say(svc, message);
}

async function run(svc: Services, f: FormState): Promise<void> {
  const b = svc.backend;
  const d = svc.store.dispatch;
  switch (f.form) {
    case 'commit': {
      d({
        type: 'formBusy',
        busy: { label: `Committing ${f.names[0]}`, started: Date.now(), bytes: 0, layers: 0, current: '' },
      });
      const req = commitRequest(f);
      const id = await b.commitContainer(f.refs[0]!, req);
      const name = req.repo ? familiarRepoTag(req.repo) : null;
      finish(svc, `committed ${f.names[0]} as ${name ?? shortId(id)} (${shortId(id)})`);
      await reveal(svc, 'images', name ? `${id}/${name}` : id);
      return;
    }
    case 'tag': {
      const target = text(f.values.target).trim();
      await b.tagImage(f.refs[0]!, target);
      const name = familiarRepoTag(target);
      const img = (await b.inspectImage(name)) as { Id: string };
      finish(svc, `tagged ${f.names[0]} as ${name}`);
      await reveal(svc, 'images', `${img.Id}/${name}`);
      return;
    }
    case 'save': {
      const r = await saveTo(svc, f.refs, text(f.values.path));
      finish(svc, `saved ${f.names.join(', ')} to ${r.path} (${humanSize(r.bytes)})`);
      return;
    }
    case 'export': {
      const r = await exportTo(svc, f.refs[0]!, text(f.values.path));
      finish(svc, `exported ${f.names[0]} to ${r.path} (${humanSize(r.bytes)})`);
      return;
    }
    case 'load': {
      const r = await loadFrom(svc, text(f.values.path));
      const names = r.images.flatMap((i) => (i.tags.length ? i.tags : [shortId(i.id)]));
      finish(svc, `loaded ${names.join(', ') || 'nothing'}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`);
      const first = r.images[0];
      if (first) await reveal(svc, 'images', first.tags.length ? `${first.id}/${first.tags[0]}` : first.id);
      return;
    }
    case 'run': {
      const { req, detach } = runRequest(f);
      const { id, warnings } = await b.createContainer(req);
      const info = (await b.inspectContainer(id)) as { Name?: string };
      const name = (info.Name ?? '').replace(/^\//, '') || shortId(id);
      svc.store.dispatch({ type: 'closeOverlay' });
      if (detach) {
        await b.startContainer(id);
        say(svc, `started ${name}${warnings.length ? ` (${warnings.join('; ')})` : ''}`);
      } else {
        await startAttached(svc, id, name);
      }
      await reveal(svc, 'containers', id);
      return;
    }
    case 'pull':
      return pull(svc, pullRequest(f));
    case 'push':
      return push(svc, pushRequest(f));
    case 'search':
      return f.pick != null ? pullResult(svc, f) : search(svc, text(f.values.term).trim());
    case 'login':
      return loginAndRetry(svc, f, credentials(f));
    case 'build':
      return build(svc, f);
    case 'volume': {
      const req = volumeRequest(f);
      const v = await b.createVolume(req);
      finish(svc, `created volume ${v.Name}`);
      await reveal(svc, 'volumes', v.Name);
      return;
    }
    case 'network': {
      const req = networkRequest(f);
      const r = await b.createNetwork(req);
      finish(svc, `created network ${req.name}${r.warning ? ` (${r.warning})` : ''}`);
      await reveal(svc, 'networks', r.id);
      return;
    }
    case 'connect': {
      const c = connectRequest(f);
      await b.connectNetwork(f.refs[0]!, c.container, { aliases: c.aliases, ...(c.ip ? { ip: c.ip } : {}) });
      finish(svc, `connected ${c.container} to ${f.names[0]}`);
      await svc.feed.refresh('networks');
      return;
    }
    case 'disconnect': {
      const container = text(f.values.container).trim();
      await b.disconnectNetwork(f.refs[0]!, container, flag(f.values.force));
      finish(svc, `disconnected ${container} from ${f.names[0]}`);
      await svc.feed.refresh('networks');
      return;
    }
  }
}

export async function submitForm(svc: Services, f: FormState): Promise<void> {
  if (f.busy) return;
  const bad = validateForm(f);
  if (bad) {
    svc.store.dispatch({ type: 'formError', message: `${bad.field}: ${bad.message}` });
    return;
  }
  // a hangup meanwhile waits for it (and cancels a save or a load as Esc does)
  await track(svc, perform(svc, f));
}

async function perform(svc: Services, f: FormState): Promise<void> {
  try {
    await run(svc, f);
  } catch (e) {
    const aborted = (isBerthError(e) && e.code === 'CANCELLED') || (e as Error).name === 'AbortError';
    if (aborted) {
      // what was running (a search's Enter runs a pull): its label, else the dialog's title
      const now = svc.store.get().overlay;
      const what = now?.kind === 'form' && now.busy ? now.busy.label : FORMS[f.form].title;
      // a push's uploaded layers may stay in the registry, unnamed; the local side is all that is ours
      const left = now?.kind === 'form' && now.form === 'push' ? '' : '; nothing was left behind';
      svc.store.dispatch({ type: 'closeOverlay' });
      say(svc, `${what.charAt(0).toLowerCase()}${what.slice(1)}: cancelled${left}`);
    } else if (svc.store.get().overlay === f || svc.store.get().overlay?.kind === 'form') {
      svc.store.dispatch({ type: 'formError', message: errorText(e) });
    } else {
      say(svc, errorText(e), 'error');
    }
  }
}

/** Esc in a dialog: stop the work in progress if it can be stopped, else close. */
export function cancelForm(svc: Services, f: FormState): void {
  if (f.busy) {
    if (!cancelTransfer(svc)) say(svc, `${f.busy.label} cannot be interrupted; it finishes in one step`);
    return;
  }
  svc.store.dispatch({ type: 'closeOverlay' });
}
