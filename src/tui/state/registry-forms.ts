/**
 * The registry dialogs as data: pull (reference, platform), push (the
 * selected name, every tag or one), search (a term, then docker's table of
 * results) and the credentials a registry asked for (user, password never
 * drawn, whether to save them as `berth login` does). Validation uses the
 * engine's own rules (client/validate.ts). Pure.
 */
import { checkPlatform, checkPushName, checkReference, hostPlatformName } from '../../client/validate.js';
import { splitName } from '../../client/format/names.js';
import { flag, text, type FieldError, type FormSpec } from './form-spec.js';
import type { FormState, RegistryRetry } from './types.js';

export type RegistryFormId = 'pull' | 'push' | 'search' | 'login';

export const REGISTRY_FORMS: Record<RegistryFormId, FormSpec> = {
  pull: {
    id: 'pull',
    title: 'Pull an image',
    submit: 'Pull',
    fields: [
      {
        name: 'reference',
        label: 'Image',
        kind: 'text',
        hint: 'NAME[:TAG|@DIGEST], e.g. alpine:3.19 or localhost:5000/app:1 (no tag: latest)',
      },
      { name: 'platform', label: 'Platform', kind: 'text', hint: "os/arch[/variant]; empty: this machine's" },
    ],
  },
  push: {
    id: 'push',
    title: 'Push image',
    submit: 'Push',
    fields: [
      {
        name: 'allTags',
        label: 'All tags',
        kind: 'toggle',
        hint: 'on: every tag of the repository (docker push --all-tags)',
      },
    ],
  },
  search: {
    id: 'search',
    title: 'Search a registry',
    submit: 'Search',
    fields: [
      {
        name: 'term',
        label: 'Term',
        kind: 'text',
        hint: "Docker Hub's search, or REGISTRY/TERM for that registry (its catalog when it has no search)",
      },
    ],
  },
  login: {
    id: 'login',
    title: 'Log in to',
    submit: 'Log in',
    fields: [
      { name: 'username', label: 'Username', kind: 'text' },
      { name: 'password', label: 'Password', kind: 'secret', hint: 'never shown' },
      {
        name: 'save',
        label: 'Save',
        kind: 'toggle',
        hint: 'on: kept where `berth login` (and docker login) keeps it; off: for this time only',
      },
    ],
  },
};

export const isRegistryForm = (id: string): id is RegistryFormId => id in REGISTRY_FORMS;

export function validateRegistryForm(f: FormState): FieldError | null {
  const v = f.values;
  const bad = (field: string, message: string | null): FieldError | null => (message ? { field, message } : null);
  switch (f.form) {
    case 'pull': {
      const ref = text(v.reference).trim();
      if (!ref) return { field: 'reference', message: 'an image name is needed' };
      const platform = text(v.platform).trim();
      return bad('reference', checkReference(ref)) ?? (platform ? bad('platform', checkPlatform(platform)) : null);
    }
    case 'push':
      return f.refs[0] ? bad('allTags', checkPushName(f.refs[0])) : { field: 'allTags', message: 'no image' };
    case 'search':
      return text(v.term).trim() ? null : { field: 'term', message: 'a term is needed' };
    case 'login':
      if (!text(v.username).trim()) return { field: 'username', message: 'Username is required' };
      if (!text(v.password)) return { field: 'password', message: 'Password is required' };
      return null;
    default:
      return null;
  }
}

/** The platform field's hint names this machine's platform. */
export const platformHint = () => `os/arch[/variant]; empty: this machine's (${hostPlatformName()})`;

/** The pull a dialog asks for. */
export function pullRequest(f: FormState): { ref: string; platform: string } {
  return { ref: text(f.values.reference).trim(), platform: text(f.values.platform).trim() };
}

/** The push a dialog asks for: its name, or with every tag the repository alone (docker push -a REPO). */
export function pushRequest(f: FormState): { ref: string; allTags: boolean } {
  const allTags = flag(f.values.allTags);
  return { ref: allTags ? splitName(f.refs[0]!)[0] : f.refs[0]!, allTags };
}

/** The credentials a login dialog holds (kept only in the dialog and the call that uses them). */
export function credentials(f: FormState): { username: string; password: string; save: boolean } {
  return { username: text(f.values.username).trim(), password: text(f.values.password), save: flag(f.values.save) };
}

/** The retry a login dialog carries, or null when it has none. */
export const retryOf = (f: FormState): RegistryRetry | null => f.retry ?? null;
