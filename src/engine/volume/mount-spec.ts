/**
 * docker's three mount syntaxes, parsed as docker parses them, with its
 * error messages: -v (Binds), --mount (key=value CSV) and --tmpfs. Pure: the
 * caller checks the host (bind sources) and creates volumes.
 */
import { posix } from 'node:path';
import { invalidArg } from '../errors.js';
import { ramInBytes } from '../util/units.js';

export type MountType = 'bind' | 'volume' | 'tmpfs';

export interface MountRequest {
  type: MountType;
  /** Volume name ('' = anonymous), host path for binds, '' for tmpfs. */
  source: string;
  target: string;
  readOnly: boolean;
  /** The mode string as given with -v (e.g. "ro,z"), '' otherwise. */
  mode: string;
  propagation: string;
  /** --mount bind: fail when the source is missing (-v creates it). */
  createSource: boolean;
  noCopy: boolean;
  volumeLabels: Record<string, string>;
  volumeDriver: string;
  volumeOptions: Record<string, string>;
  tmpfsSize: number;
  tmpfsMode: number;
  /** Extra tmpfs options from --tmpfs (e.g. exec, uid=). */
  tmpfsOptions: string[];
}

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

function base(type: MountType): MountRequest {
  return {
    type,
    source: '',
    target: '',
    readOnly: false,
    mode: '',
    propagation: '',
    createSource: false,
    noCopy: false,
    volumeLabels: {},
    volumeDriver: 'local',
    volumeOptions: {},
    tmpfsSize: 0,
    tmpfsMode: 0,
    tmpfsOptions: [],
  };
}

export function validVolumeName(name: string): boolean {
  return VOLUME_NAME.test(name);
}

function checkTarget(spec: string, type: MountType, target: string): void {
  const prefix = `invalid volume specification: '${spec}'`;
  if (!target) throw invalidArg(`${prefix}: invalid mount config for type "${type}": field Target must not be empty`);
  if (!target.startsWith('/')) throw invalidArg(`${prefix}: invalid mount config for type "${type}": invalid mount path: '${target}' mount path must be absolute`);
  if (posix.normalize(target) === '/') throw invalidArg(`${prefix}: invalid mount config for type "${type}": invalid specification: destination can't be '/'`);
}

/** -v / --volume: `/path`, `name:/path[:mode]`, `/host:/path[:mode]`. */
export function parseVolumeFlag(spec: string): MountRequest {
  const parts = spec.split(':');
  if (spec === '' || parts.length > 3 || parts.some((p) => p === '')) {
    throw invalidArg(`invalid volume specification: '${spec}'`);
  }
  if (parts.length === 1) {
    const m = base('volume');
    m.target = parts[0]!;
    checkTarget(spec, 'volume', m.target);
    return m;
  }
  const [src, dst, mode = ''] = parts as [string, string, string?];
  const bind = src.startsWith('/');
  const m = base(bind ? 'bind' : 'volume');
  m.source = bind ? posix.normalize(src) : src;
  m.target = dst;
  m.mode = mode;
  m.createSource = true;
  checkTarget(spec, m.type, dst);
  if (!bind && !VOLUME_NAME.test(src)) {
    throw invalidArg(
      `create ${src}: "${src}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
  for (const opt of mode ? mode.split(',') : []) {
    if (opt === 'ro') m.readOnly = true;
    else if (opt === 'rw') m.readOnly = false;
    else if (PROPAGATIONS.includes(opt)) {
      if (!bind) throw invalidArg(`invalid volume specification: '${spec}': invalid mount config for type "volume": field BindOptions must not be specified`);
      m.propagation = opt;
    } else if (opt === 'nocopy') {
      if (bind) throw invalidArg(`invalid mode: ${mode}`);
      m.noCopy = true;
    } else if (!['z', 'Z', 'consistent', 'cached', 'delegated'].includes(opt)) {
      throw invalidArg(`invalid mode: ${mode}`);
    }
  }
  if (bind && !m.propagation) m.propagation = 'rprivate';
  return m;
}

function parseBool(key: string, v: string | undefined, spec: string): boolean {
  if (v === undefined) return true;
  const l = v.toLowerCase();
  if (['1', 'true'].includes(l)) return true;
  if (['0', 'false'].includes(l)) return false;
  throw invalidArg(`invalid argument "${spec}" for "--mount" flag: invalid value for ${key}: ${v}`);
}

/** Split a CSV field list honouring double quotes, as encoding/csv does. */
function csvFields(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') {
      if (quoted && s[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** --mount type=volume|bind|tmpfs,source=,target=,readonly,volume-opt=,bind-propagation=,tmpfs-size=,... */
export function parseMountFlag(spec: string): MountRequest {
  const fields = csvFields(spec);
  let m = base('volume');
  const seen: [string, string | undefined][] = fields.map((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? [f.trim().toLowerCase(), undefined] : [f.slice(0, eq).trim().toLowerCase(), f.slice(eq + 1)];
  });
  const typeField = seen.find(([k]) => k === 'type');
  if (typeField) {
    if (!['bind', 'volume', 'tmpfs'].includes(typeField[1] ?? '')) {
      throw invalidArg(`invalid argument "${spec}" for "--mount" flag: invalid mount type "${typeField[1]}"`);
    }
    m = base(typeField[1] as MountType);
  }
  const kind = m.type;
  const wrongType = (key: string) =>
    invalidArg(`invalid argument "${spec}" for "--mount" flag: cannot mix '${key}' with 'type=${kind}'`);
  for (const [k, v] of seen) {
    switch (k) {
      case 'type':
        break;
      case 'source':
      case 'src':
        m.source = v ?? '';
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = v ?? '';
        break;
      case 'readonly':
      case 'ro':
        m.readOnly = parseBool(k, v, spec);
        break;
      case 'consistency':
        break;
      case 'bind-propagation':
        if (kind !== 'bind') throw wrongType(k);
        if (!PROPAGATIONS.includes(v ?? '')) throw invalidArg(`invalid argument "${spec}" for "--mount" flag: invalid propagation mode "${v}"`);
        m.propagation = v!;
        break;
      case 'bind-nonrecursive':
        if (kind !== 'bind') throw wrongType(k);
        break;
      case 'volume-nocopy':
        if (kind !== 'volume') throw wrongType(k);
        m.noCopy = parseBool(k, v, spec);
        break;
      case 'volume-label':
      case 'volume-opt': {
        if (kind !== 'volume') throw wrongType(k);
        const eq = (v ?? '').indexOf('=');
        const key = eq < 0 ? (v ?? '') : v!.slice(0, eq);
        const val = eq < 0 ? '' : v!.slice(eq + 1);
        if (!key) throw invalidArg(`invalid argument "${spec}" for "--mount" flag: invalid ${k}: ${v}`);
        if (k === 'volume-label') m.volumeLabels[key] = val;
        else m.volumeOptions[key] = val;
        break;
      }
      case 'volume-driver':
        if (kind !== 'volume') throw wrongType(k);
        m.volumeDriver = v ?? 'local';
        break;
      case 'tmpfs-size':
        if (kind !== 'tmpfs') throw wrongType(k);
        try {
          m.tmpfsSize = ramInBytes(v ?? '');
        } catch {
          throw invalidArg(`invalid argument "${spec}" for "--mount" flag: invalid value for tmpfs-size: ${v}`);
        }
        break;
      case 'tmpfs-mode':
        if (kind !== 'tmpfs') throw wrongType(k);
        if (!/^[0-7]{1,4}$/.test(v ?? '')) throw invalidArg(`invalid argument "${spec}" for "--mount" flag: invalid value for tmpfs-mode: ${v}`);
        m.tmpfsMode = parseInt(v!, 8);
        break;
      default:
        throw invalidArg(`invalid argument "${spec}" for "--mount" flag: unexpected key '${k}' in '${k}${v === undefined ? '' : '=' + v}'`);
    }
  }
  const prefix = `invalid argument "${spec}" for "--mount" flag`;
  if (!m.target) throw invalidArg(`${prefix}: invalid mount config for type "${kind}": field Target must not be empty`);
  if (!m.target.startsWith('/')) throw invalidArg(`${prefix}: invalid mount config for type "${kind}": invalid mount path: '${m.target}' mount path must be absolute`);
  if (posix.normalize(m.target) === '/') throw invalidArg(`${prefix}: invalid mount config for type "${kind}": invalid specification: destination can't be '/'`);
  if (kind === 'bind') {
    if (!m.source) throw invalidArg(`${prefix}: invalid mount config for type "bind": field Source must not be empty`);
    if (!m.source.startsWith('/')) throw invalidArg(`${prefix}: invalid mount config for type "bind": invalid mount path: '${m.source}' mount path must be absolute`);
    if (!m.propagation) m.propagation = 'rprivate';
  }
  if (kind === 'tmpfs' && m.source) throw invalidArg(`${prefix}: invalid mount config for type "tmpfs": field Source must not be specified`);
  if (kind === 'volume' && m.source && !VOLUME_NAME.test(m.source)) {
    throw invalidArg(`${prefix}: invalid mount config for type "volume": invalid volume name "${m.source}"`);
  }
  return m;
}

/** --tmpfs /path[:options] (options as mount(8) takes them: size=64m,mode=1770,exec,...). */
export function parseTmpfsFlag(spec: string): MountRequest {
  const colon = spec.indexOf(':');
  const target = colon < 0 ? spec : spec.slice(0, colon);
  const opts = colon < 0 ? '' : spec.slice(colon + 1);
  const m = base('tmpfs');
  m.target = target;
  checkTarget(spec, 'tmpfs', target);
  for (const o of opts ? opts.split(',') : []) {
    const [k, v] = o.split('=', 2) as [string, string?];
    if (k === 'size') {
      try {
        m.tmpfsSize = /^\d+%$/.test(v ?? '') ? 0 : ramInBytes(v ?? '');
      } catch {
        throw invalidArg(`invalid tmpfs option "${o}" in "${spec}"`);
      }
      if (/%$/.test(v ?? '')) m.tmpfsOptions.push(o);
    } else if (k === 'mode') {
      if (!/^[0-7]{1,4}$/.test(v ?? '')) throw invalidArg(`invalid tmpfs option "${o}" in "${spec}"`);
      m.tmpfsMode = parseInt(v!, 8);
    } else if (k === 'ro') m.readOnly = true;
    else if (k === 'rw') m.readOnly = false;
    else if (/^(exec|noexec|suid|nosuid|dev|nodev|uid=\d+|gid=\d+|nr_inodes=\d+[kmg]?|nr_blocks=\d+[kmg]?|mpol=.+|atime|noatime|relatime|strictatime)$/.test(o)) m.tmpfsOptions.push(o);
    else throw invalidArg(`invalid tmpfs option "${o}" in "${spec}"`);
  }
  return m;
}

/** Local driver options (-o / volume-opt): type, device, o. */
export function checkVolumeOptions(opts: Record<string, string>): void {
  for (const k of Object.keys(opts)) {
    if (!['type', 'device', 'o'].includes(k)) throw invalidArg(`invalid option key: "${k}"`);
  }
  if ((opts.type || opts.device) && !(opts.type && opts.device)) {
    throw invalidArg('missing required option: "type" and "device" go together');
  }
}
