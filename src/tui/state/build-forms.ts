/**
 * The build dialog as data: the context directory and the Dockerfile (Tab
 * completes both), tags, build arguments and whether to use the cache;
 * validation with the engine's rules (client/validate.ts) and the request
 * it turns into. Pure: the action checks the paths on disk.
 */
import type { BuildRequest } from '../../client/api.js';
import { checkRepoTag } from '../../client/validate.js';
import { flag, text, type FieldError, type FormSpec } from './form-spec.js';
import type { FieldValue, FormState } from './types.js';

export const BUILD_FORM: FormSpec = {
  id: 'build',
  title: 'Build an image',
  submit: 'Build',
  fields: [
    {
      name: 'context',
      label: 'Context',
      kind: 'path',
      hint: 'the directory the build reads (PATH); Tab completes',
      dirs: true,
    },
    {
      name: 'dockerfile',
      label: 'Dockerfile',
      kind: 'path',
      hint: 'empty: Dockerfile in the context (-f); Tab completes',
    },
    { name: 'tags', label: 'Tags', kind: 'text', hint: 'NAME[:TAG], several separated by spaces (empty: untagged)' },
    {
      name: 'args',
      label: 'Build args',
      kind: 'multiline',
      hint: 'KEY=VALUE, one per line (--build-arg; KEY alone: its value here)',
    },
    { name: 'noCache', label: 'No cache', kind: 'toggle', hint: 'on: run every step again (--no-cache)' },
  ],
};

const lines = (v: FieldValue | undefined) =>
  text(v)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The tags as typed, in order. */
export const buildTags = (f: FormState): string[] => text(f.values.tags).split(/\s+/).filter(Boolean);

export function validateBuildForm(f: FormState): FieldError | null {
  const v = f.values;
  if (!text(v.context).trim()) return { field: 'context', message: 'a directory is needed' };
  for (const t of buildTags(f)) {
    const e = checkRepoTag(t);
    if (e) return { field: 'tags', message: e };
  }
  for (const l of lines(v.args))
    if (l.startsWith('=') || /\s/.test(l.split('=')[0]!))
      return { field: 'args', message: `invalid build argument: ${l} (KEY=VALUE)` };
  return null;
}

/**
 * The request for the dialog's values, given the context directory and the
 * Dockerfile's path (null: the context's own) as the action resolved them.
 * A build argument without "=" takes its value from `env`, and is left out
 * when `env` has none, as docker build --build-arg KEY does.
 */
export function buildRequest(
  f: FormState,
  context: string,
  dockerfile: string | null,
  env: Record<string, string | undefined>,
): BuildRequest {
  const args = new Map<string, string>();
  for (const l of lines(f.values.args)) {
    const eq = l.indexOf('=');
    if (eq > 0) args.set(l.slice(0, eq), l.slice(eq + 1));
    else if (env[l] !== undefined) args.set(l, env[l]);
  }
  return {
    context: { source: { kind: 'dir', path: context }, ...(dockerfile ? { dockerfile: { path: dockerfile } } : {}) },
    tags: buildTags(f),
    buildArgs: args,
    noCache: flag(f.values.noCache),
  };
}
