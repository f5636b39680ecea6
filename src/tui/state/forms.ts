/**
 * The dialogs' forms as data: fields, defaults, validation with the
 * engine's rules (client/validate.ts) and the requests they turn into.
 * Pure: checks that need the file system are made by the actions.
 */
import type { CommitOptions, ContainerCreateRequest, NetworkCreate } from '../../client/api.js';
import {
  checkChanges,
  checkContainerName,
  checkIp4,
  checkNetworkName,
  checkPortSpec,
  checkRepoTag,
  checkSubnet,
  checkVolumeName,
  checkVolumeSpec,
  splitCommand,
} from '../../client/validate.js';
import { splitName } from '../../client/format/names.js';
import { shortId } from '../../client/format/table.js';
import { BUILD_FORM, validateBuildForm } from './build-forms.js';
import { flag, text, type FieldError, type FormSpec } from './form-spec.js';
import { platformHint, REGISTRY_FORMS, validateRegistryForm } from './registry-forms.js';
import { edit, type Edit } from './text-edit.js';
import type { FieldValue, FormId, FormState, RegistryRetry } from './types.js';

export type { FieldError, FieldKind, FieldSpec, FormSpec } from './form-spec.js';
export { flag, text } from './form-spec.js';

export const FORMS: Record<FormId, FormSpec> = {
  ...REGISTRY_FORMS,
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
      {
        name: 'ports',
        label: 'Ports',
        kind: 'multiline',
        hint: '[IP:][HOST:]CONTAINER[/tcp|udp|sctp], one per line (-p)',
      },
      { name: 'network', label: 'Network', kind: 'text', hint: 'empty: the default bridge; a name, host, none' },
    ],
  },
  network: {
    id: 'network',
    title: 'New network',
    submit: 'Create',
    fields: [
      { name: 'name', label: 'Name', kind: 'text' },
      { name: 'driver', label: 'Driver', kind: 'text', hint: 'bridge (empty), macvlan or ipvlan' },
      { name: 'subnet', label: 'Subnet', kind: 'text', hint: 'empty: the next free pool; e.g. 10.20.0.0/24' },
      { name: 'gateway', label: 'Gateway', kind: 'text', hint: "empty: the subnet's first address" },
      { name: 'internal', label: 'Internal', kind: 'toggle', hint: 'no way out of the network, no published ports' },
      { name: 'options', label: 'Options', kind: 'multiline', hint: 'KEY=VALUE, one per line (parent=IF for macvlan)' },
      { name: 'labels', label: 'Labels', kind: 'multiline', hint: 'KEY=VALUE, one per line' },
    ],
  },
  connect: {
    id: 'connect',
    title: 'Connect a container',
    submit: 'Connect',
    fields: [
      { name: 'container', label: 'Container', kind: 'text', hint: 'name or ID' },
      { name: 'aliases', label: 'Aliases', kind: 'text', hint: 'names on this network, separated by spaces' },
      { name: 'ip', label: 'Address', kind: 'text', hint: 'empty: the next free one (a given subnet only)' },
    ],
  },
  disconnect: {
    id: 'disconnect',
    title: 'Disconnect a container',
    submit: 'Disconnect',
    fields: [
      { name: 'container', label: 'Container', kind: 'text', hint: 'name or ID' },
      { name: 'force', label: 'Force', kind: 'toggle', hint: 'also when the network is gone' },
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
  build: BUILD_FORM,
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
  if (form === 'network') values.internal = false;
  if (form === 'disconnect') values.force = false;
  if (form === 'pull' && refs[0]) values.reference = edit(refs[0]);
  if (form === 'push') values.allTags = false;
  const f: FormState = { kind: 'form', form, values, field: 0, error: null, hint: null, busy: null, refs, names };
  if (form === 'search') return { ...f, results: null, pick: null };
  return f;
}

/** The credentials dialog for `server`, going back to `retry` with them; `why` is the registry's answer. */
export function openLogin(server: string, retry: RegistryRetry, why: string): FormState {
  return { ...openForm('login', [server], [server]), retry, error: why };
}

/** A field's hint, where it depends on the machine. */
export const fieldHint = (form: FormId, name: string): string | undefined =>
  form === 'pull' && name === 'platform' ? platformHint() : FORMS[form].fields.find((x) => x.name === name)?.hint;

const lines = (v: FieldValue | undefined) =>
  text(v)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

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
      for (const l of lines(v.ports)) {
        const e = bad('ports', checkPortSpec(l));
        if (e) return e;
      }
      return null;
    }
    case 'network': {
      const name = text(v.name).trim();
      if (!name) return { field: 'name', message: 'a name is needed' };
      const driver = text(v.driver).trim();
      if (driver && !['bridge', 'macvlan', 'ipvlan'].includes(driver))
        return { field: 'driver', message: 'bridge, macvlan or ipvlan' };
      const subnet = text(v.subnet).trim();
      const gateway = text(v.gateway).trim();
      return (
        bad('name', checkNetworkName(name)) ??
        (subnet ? bad('subnet', checkSubnet(subnet)) : null) ??
        (gateway ? bad('gateway', checkIp4(gateway)) : null) ??
        keyValues('options', lines(v.options)) ??
        keyValues('labels', lines(v.labels))
      );
    }
    case 'connect':
    case 'disconnect': {
      if (!text(v.container).trim()) return { field: 'container', message: 'a container is needed' };
      const ip = f.form === 'connect' ? text(v.ip).trim() : '';
      return ip ? bad('ip', checkIp4(ip)) : null;
    }
    case 'pull':
    case 'push':
    case 'search':
    case 'login':
      return validateRegistryForm(f);
    case 'build':
      return validateBuildForm(f);
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
      ...(lines(v.ports).length ? { publish: lines(v.ports) } : {}),
      ...(text(v.network).trim() ? { network: text(v.network).trim() } : {}),
      ...(detach ? {} : { tty: true, openStdin: true, attachStdin: true, attachStdout: true, attachStderr: true }),
    },
  };
}

/** KEY=VALUE lines: the first bad one, naming the field. */
function keyValues(field: string, ls: string[]): FieldError | null {
  const badLine = ls.find((l) => !l.includes('=') || l.startsWith('='));
  return badLine ? { field, message: `invalid ${field.replace(/s$/, '')}: ${badLine} (KEY=VALUE)` } : null;
}

function keyValueMap(ls: string[]): Record<string, string> {
  return Object.fromEntries(ls.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

export function networkRequest(f: FormState): NetworkCreate {
  const v = f.values;
  const subnet = text(v.subnet).trim();
  const gateway = text(v.gateway).trim();
  return {
    name: text(v.name).trim(),
    driver: text(v.driver).trim() || 'bridge',
    subnets: subnet ? [subnet] : [],
    gateways: gateway ? [gateway] : [],
    internal: flag(v.internal),
    options: keyValueMap(lines(v.options)),
    labels: keyValueMap(lines(v.labels)),
  };
}

export function connectRequest(f: FormState): { container: string; aliases: string[]; ip?: string } {
  const ip = text(f.values.ip).trim();
  return {
    container: text(f.values.container).trim(),
    aliases: text(f.values.aliases)
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean),
    ...(ip ? { ip } : {}),
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

export const isGzipPath = (p: string) => /\.(gz|tgz)$/i.test(p);

export const fieldEdit = (f: FormState, name: string): Edit =>
  typeof f.values[name] === 'object' ? (f.values[name] as Edit) : edit('');
