/**
 * The dialogs' forms as data: fields, defaults, validation with the
 * engine's rules (client/validate.ts) and the requests they turn into.
 * Pure: checks that need the file system are made by the actions.
 */
import type { BuildRequest, CommitOptions, ContainerCreateRequest } from '../../client/api.js';
import {
  checkChanges,
  checkContainerName,
  checkRepoTag,
  checkVolumeName,
  checkVolumeSpec,
  splitCommand,
} from '../../client/validate.js';
import { splitName } from '../../client/format/names.js';
import { shortId } from '../../client/format/table.js';
import { edit, type Edit } from './text-edit.js';
import type { FieldValue, FormId, FormState } from './types.js';

export type FieldKind = 'text' | 'multiline' | 'toggle' | 'path';

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  hint?: string;
}

export interface FormSpec {
  id: FormId;
  title: string;
  submit: string;
  fields: FieldSpec[];
}

export const FORMS: Record<FormId, FormSpec> = {
  commit: {
    id: 'commit',
    title: 'Commit container',
    submit: 'Commit',
    fields: [
      { name: 'repo', label: 'Repository:tag', kind: 'text', hint: 'e.g. myapp:1.0 (empty: an untagged image)' },
      { name: 'author', label: 'Author', kind: 'text' },
      { name: 'message', label: 'Message', kind: 'text' },
      {
        name: 'changes',
        label: 'Changes',
        kind: 'multiline',
        hint: 'one per line: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR ...',
      },
      {
        name: 'pause',
        label: 'Pause',
        kind: 'toggle',
        hint: 'freeze the container while its changes are read (docker commit --pause)',
      },
    ],
  },
  save: {
    id: 'save',
    title: 'Save images',
    submit: 'Save',
    fields: [
      {
        name: 'path',
        label: 'Destination',
        kind: 'path',
        hint: 'a .tar file; .tar.gz or .tgz is compressed with gzip',
      },
    ],
  },
  load: {
    id: 'load',
    title: 'Load images',
    submit: 'Load',
    fields: [
      {
        name: 'path',
        label: 'Archive',
        kind: 'path',
        hint: 'Tab completes; docker save, podman, skopeo or OCI archives, any compression',
      },
    ],
  },
  tag: {
    id: 'tag',
    title: 'Tag image',
    submit: 'Tag',
    fields: [{ name: 'target', label: 'New name', kind: 'text', hint: 'repository[:tag]' }],
  },
  run: {
    id: 'run',
    title: 'Run a container',
    submit: 'Run',
    fields: [
      { name: 'name', label: 'Name', kind: 'text', hint: 'empty: a generated name' },
      { name: 'command', label: 'Command', kind: 'text', hint: "empty: the image's; quotes group words" },
      {
        name: 'detach',
        label: 'Detach',
        kind: 'toggle',
        hint: 'off: the container gets this terminal (ctrl-p ctrl-q detaches)',
      },
      { name: 'env', label: 'Environment', kind: 'multiline', hint: 'KEY=VALUE, one per line' },
      { name: 'volumes', label: 'Volumes', kind: 'multiline', hint: 'name:/path or /host:/path[:ro], one per line' },
    ],
  },
  export: {
    id: 'export',
    title: 'Export container file system',
    submit: 'Export',
    fields: [{ name: 'path', label: 'Destination', kind: 'path', hint: 'a .tar file' }],
  },
  volume: {
    id: 'volume',
    title: 'New volume',
    submit: 'Create',
    fields: [
      { name: 'name', label: 'Name', kind: 'text', hint: 'empty: a generated name' },
      { name: 'labels', label: 'Labels', kind: 'multiline', hint: 'KEY=VALUE, one per line' },
    ],
  },
  build: {
    id: 'build',
    title: 'Build an image',
    submit: 'Build',
    fields: [
      { name: 'context', label: 'Context', kind: 'path', hint: 'Tab completes; the directory the build reads' },
      {
        name: 'dockerfile',
        label: 'Dockerfile',
        kind: 'path',
        hint: 'empty: Dockerfile in the context; Tab completes',
      },
      { name: 'tags', label: 'Tags', kind: 'text', hint: 'name[:tag], several separated by spaces (empty: untagged)' },
      { name: 'args', label: 'Build args', kind: 'multiline', hint: 'KEY=VALUE, one per line (ARG values)' },
      { name: 'noCache', label: 'No cache', kind: 'toggle', hint: 'run every step again (--no-cache)' },
    ],
  },
};

/** A file name from an image name: "reg:5000/me/app:1.0" -> "./app_1.0.tar". */
export function defaultArchiveName(refs: readonly string[]): string {
  if (refs.length !== 1) return './images.tar';
  const ref = refs[0]!;
  if (/^(sha256:)?[0-9a-f]{12,64}$/.test(ref)) return `./${shortId(ref)}.tar`;
  const [repo, tag] = splitName(ref);
  const base = repo.slice(repo.lastIndexOf('/') + 1);
  return `./${base}_${tag === '<none>' ? 'latest' : tag}.tar`.replace(/[^\w./-]/g, '_');
}

export function openForm(form: FormId, refs: string[] = [], names: string[] = []): FormState {
  const values: Record<string, FieldValue> = {};
  for (const f of FORMS[form].fields) values[f.name] = f.kind === 'toggle' ? true : edit('');
  if (form === 'save') values.path = edit(defaultArchiveName(refs));
  if (form === 'export') values.path = edit(`./${names[0] ?? 'container'}.tar`);
  if (form === 'build') {
    values.context = edit('.');
    values.noCache = false;
  }
  if (form === 'tag' && refs[0] && !/^sha256:/.test(refs[0])) values.target = edit(refs[0]);
  return { kind: 'form', form, values, field: 0, error: null, hint: null, busy: null, refs, names };
}

export const text = (v: FieldValue | undefined): string => (typeof v === 'object' ? v.text : '');
export const flag = (v: FieldValue | undefined): boolean => v === true;
const lines = (v: FieldValue | undefined) =>
  text(v)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

const words = (v: FieldValue | undefined) => text(v).split(/\s+/).filter(Boolean);

export interface FieldError {
  field: string;
  message: string;
}

/** The first problem with the values, naming the field, or null. */
export function validateForm(f: FormState): FieldError | null {
  const v = f.values;
  const bad = (field: string, message: string | null): FieldError | null => (message ? { field, message } : null);
  switch (f.form) {
    case 'commit':
      return (
        (text(v.repo).trim() ? bad('repo', checkRepoTag(text(v.repo).trim())) : null) ??
        bad('changes', checkChanges(lines(v.changes)))
      );
    case 'tag':
      return text(v.target).trim()
        ? bad('target', checkRepoTag(text(v.target).trim()))
        : { field: 'target', message: 'a name is needed' };
    case 'save':
    case 'load':
    case 'export':
      return text(v.path).trim() ? null : { field: 'path', message: 'a file name is needed' };
    case 'run': {
      const name = text(v.name).trim();
      if (name) {
        const e = bad('name', checkContainerName(name));
        if (e) return e;
      }
      try {
        splitCommand(text(v.command));
      } catch (e) {
        return { field: 'command', message: (e as Error).message };
      }
      for (const l of lines(v.env))
        if (!l.includes('=') || l.startsWith('='))
          return { field: 'env', message: `invalid environment variable: ${l} (KEY=VALUE)` };
      for (const l of lines(v.volumes)) {
        const e = bad('volumes', checkVolumeSpec(l));
        if (e) return e;
      }
      return null;
    }
    case 'build': {
      if (!text(v.context).trim()) return { field: 'context', message: 'a directory is needed' };
      for (const t of words(v.tags)) {
        const e = bad('tags', checkRepoTag(t));
        if (e) return e;
      }
      for (const l of lines(v.args))
        if (l.startsWith('=')) return { field: 'args', message: `invalid build argument: ${l} (KEY=VALUE)` };
      return null;
    }
    case 'volume': {
      const name = text(v.name).trim();
      if (name) {
        const e = bad('name', checkVolumeName(name));
        if (e) return e;
      }
      for (const l of lines(v.labels))
        if (!l.includes('=') || l.startsWith('='))
          return { field: 'labels', message: `invalid label: ${l} (KEY=VALUE)` };
      return null;
    }
  }
}

export function commitRequest(f: FormState): CommitOptions {
  const v = f.values;
  return {
    ...(text(v.repo).trim() ? { repo: text(v.repo).trim() } : {}),
    ...(text(v.author).trim() ? { author: text(v.author).trim() } : {}),
    ...(text(v.message).trim() ? { message: text(v.message).trim() } : {}),
    changes: lines(v.changes),
    pause: flag(v.pause),
  };
}

export function runRequest(f: FormState): { req: ContainerCreateRequest; detach: boolean } {
  const v = f.values;
  const detach = flag(v.detach);
  const cmd = splitCommand(text(v.command));
  return {
    detach,
    req: {
      image: f.refs[0]!,
      ...(text(v.name).trim() ? { name: text(v.name).trim() } : {}),
      ...(cmd.length ? { cmd } : {}),
      env: lines(v.env),
      volumes: lines(v.volumes),
      ...(detach ? {} : { tty: true, openStdin: true, attachStdin: true, attachStdout: true, attachStderr: true }),
    },
  };
}

export function volumeRequest(f: FormState): { name?: string; labels: Record<string, string> } {
  const labels: Record<string, string> = {};
  for (const l of lines(f.values.labels)) {
    const i = l.indexOf('=');
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  const name = text(f.values.name).trim();
  return { ...(name ? { name } : {}), labels };
}

/**
 * The build request of the dialog, given the context directory and the
 * Dockerfile's path (resolved and checked by the action). A build argument
 * without "=" takes its value from the environment, as --build-arg does.
 */
export function buildRequest(f: FormState, context: string, dockerfile: string | null): BuildRequest {
  const v = f.values;
  const args = new Map<string, string>();
  for (const l of lines(v.args)) {
    const eq = l.indexOf('=');
    if (eq > 0) args.set(l.slice(0, eq).trim(), l.slice(eq + 1));
    else if (process.env[l] !== undefined) args.set(l, process.env[l]!);
  }
  return {
    context: { source: { kind: 'dir', path: context }, ...(dockerfile ? { dockerfile: { path: dockerfile } } : {}) },
    tags: words(v.tags),
    buildArgs: args,
    noCache: flag(v.noCache),
  };
}

export const isGzipPath = (p: string) => /\.(gz|tgz)$/i.test(p);

export const fieldEdit = (f: FormState, name: string): Edit =>
  typeof f.values[name] === 'object' ? (f.values[name] as Edit) : edit('');
