/**
 * `RUN --mount=...` values as BuildKit reads them (instructions
 * parseMount, then dispatchRunMounts and dispatchSecret): CSV fields, the
 * bind/cache/tmpfs/secret/ssh types and their keys, read-only defaults, the
 * target made absolute against the working directory, a cache's id (its
 * target by default), a secret's id and file. Values are expanded with the
 * stage's variables first. Pure.
 */
import { posix } from 'node:path';
import { invalidArg } from '../../errors.js';
import { ramInBytes } from '../../util/units.js';

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';

export interface RunMount {
  type: MountType;
  /** Stage name or index, or image, for bind and cache mounts ('' = the build context / an empty cache). */
  from: string;
  /** Path inside the source ('' = its root). */
  source: string;
  /** Absolute path in the container. */
  target: string;
  readonly: boolean;
  /** tmpfs size in bytes (0 = default). */
  size: number;
  /** cache: the cache's id; secret: the secret's id. */
  id: string;
  sharing: 'shared' | 'private' | 'locked';
  required: boolean;
  /** secret as an environment variable instead of a file. */
  env?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** go-csvvalue Fields: comma-separated, double quotes group and "" escapes a quote. */
export function csvFields(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) throw invalidArg(`failed to parse csv mounts: extraneous or missing " in quoted-field`);
  out.push(cur);
  return out;
}

const TYPES = new Set<MountType>(['bind', 'cache', 'tmpfs', 'secret', 'ssh']);

const bool = (key: string, v: string) => {
  const l = v.toLowerCase();
  if (['1', 't', 'true'].includes(l)) return true;
  if (['0', 'f', 'false'].includes(l)) return false;
  throw invalidArg(`invalid value for ${key}: ${v}`);
};

/** The `from` of a mount before expansion (for the stage graph): variables are not allowed there. */
export function mountFrom(value: string): string {
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    if (eq < 0 || field.slice(0, eq).toLowerCase() !== 'from') continue;
    const v = field.slice(eq + 1);
    const i = v.indexOf('$');
    if (i !== -1 && i !== v.length - 1)
      throw invalidArg(`'from' doesn't support variable expansion, define alias stage instead`);
    return v;
  }
  return '';
}

/** One --mount value, its values expanded by `expand`, the target resolved against `workdir`. */
export function parseMount(value: string, expand: (w: string) => string, workdir: string): RunMount {
  const m: RunMount = {
    type: 'bind',
    from: '',
    source: '',
    target: '',
    readonly: true,
    size: 0,
    id: '',
    sharing: 'shared',
    required: false,
  };
  let roAuto = true;
  let sharingSet = false;
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') [m.readonly, roAuto] = [true, false];
      else if (key === 'readwrite' || key === 'rw') [m.readonly, roAuto] = [false, false];
      else if (key === 'required' && (m.type === 'secret' || m.type === 'ssh')) m.required = true;
      else if (key === 'required') throw invalidArg(`unexpected key '${key}' for mount type '${m.type}'`);
      else throw invalidArg(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    const v = expand(field.slice(eq + 1));
    switch (key) {
      case 'type': {
        const t = v.toLowerCase() as MountType;
        if (!TYPES.has(t)) throw invalidArg(`unsupported mount type "${v}"`);
        m.type = t;
        break;
      }
      case 'from':
        m.from = v;
        break;
      case 'source':
      case 'src':
        m.source = v;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = v;
        break;
      case 'readonly':
      case 'ro':
        [m.readonly, roAuto] = [bool(key, v), false];
        break;
      case 'readwrite':
      case 'rw':
        [m.readonly, roAuto] = [!bool(key, v), false];
        break;
      case 'required':
        if (m.type !== 'secret' && m.type !== 'ssh')
          throw invalidArg(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = bool(key, v);
        break;
      case 'size':
        if (m.type !== 'tmpfs') throw invalidArg(`unexpected key '${key}' for mount type '${m.type}'`);
        try {
          m.size = ramInBytes(v);
        } catch {
          throw invalidArg(`invalid value for ${key}: ${v}`);
        }
        break;
      case 'id':
        m.id = v;
        break;
      case 'sharing': {
        const s = v.toLowerCase();
        if (s !== 'shared' && s !== 'private' && s !== 'locked') throw invalidArg(`unsupported sharing value "${v}"`);
        m.sharing = s;
        sharingSet = true;
        break;
      }
      case 'mode':
        if (!/^[0-7]+$/.test(v)) throw invalidArg(`invalid value ${v} for mode`);
        m.mode = parseInt(v, 8);
        break;
      case 'uid':
      case 'gid':
        if (!/^\d+$/.test(v)) throw invalidArg(`invalid value ${v} for ${key}`);
        m[key] = Number(v);
        break;
      case 'env':
        m.env = v;
        break;
      default:
        throw invalidArg(`unexpected key '${key}' in '${field}'`);
    }
  }
  const fileInfo = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  if (!fileInfo) {
    for (const k of ['mode', 'uid', 'gid'] as const)
      if (m[k] !== undefined) throw invalidArg(`${k} not allowed for "${m.type}" type mounts`);
  }
  if (roAuto) m.readonly = !(m.type === 'cache' || m.type === 'tmpfs');
  if (m.type === 'secret') {
    if (m.from) throw invalidArg('secret mount should not have a from');
    if (sharingSet) throw invalidArg('secret mount should not define sharing');
    if (!m.source && !m.target && !m.id) throw invalidArg('invalid secret mount. one of source, target required');
    if (m.source && m.id) throw invalidArg("both source and id can't be set");
    if (m.source) m.id = m.source;
    if (!m.id) m.id = posix.basename(m.target);
    if (!m.env && !m.target) m.target = '/run/secrets/' + posix.basename(m.id);
    return m;
  }
  if (sharingSet && m.type !== 'cache') throw invalidArg(`invalid cache sharing set for ${m.type} mount`);
  if (m.type === 'ssh') throw invalidArg('ssh mounts are not supported by berth (no SSH agent forwarding)');
  if (!m.target) throw invalidArg('mount target is required');
  if (m.type === 'cache' && !m.id) m.id = posix.normalize(m.target).replace(/(.)\/$/, '$1');
  const target = posix.isAbsolute(m.target) ? posix.normalize(m.target) : posix.join('/', workdir, m.target);
  if (target === '/') throw invalidArg(`invalid mount target "${target}"`);
  m.target = target.length > 1 ? target.replace(/\/$/, '') : target;
  return m;
}
