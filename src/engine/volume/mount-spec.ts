/**
 * docker's mount rules as the daemon applies them, with its error messages:
 * -v specs (Binds, parsed as moby's ParseMountRaw does), the API's Mount
 * objects that `--mount` becomes (validated as moby's ValidateMountConfig),
 * --tmpfs, volume names and local driver options. Pure: the caller checks
 * the host (bind sources) and creates volumes.
 */
import { posix } from 'node:path';
import { invalidArg } from '../errors.js';
import type { MountSpec } from '../container/types.js';
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
  /** -v bind: make the host directory when missing (--mount refuses a missing one). */
  createSource: boolean;
  noCopy: boolean;
  volumeLabels: Record<string, string>;
  volumeDriver: string;
  volumeOptions: Record<string, string>;
  tmpfsSize: number;
  tmpfsMode: number;
  /** Extra tmpfs options from --tmpfs (e.g. exec, uid=). */
  tmpfsOptions: string[];
  /** From --tmpfs: docker keeps these in HostConfig.Tmpfs, not among the container's Mounts. */
  tmpfsFlag: boolean;
  /** A volume made for this container (source holds its generated name once named). */
  anonymous: boolean;
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

/** docker's mode words, by kind: at most one of each kind in a -v mode. */
const MODE_KINDS: string[][] = [
  ['rw', 'ro'],
  ['z', 'Z'],
  PROPAGATIONS,
  ['nocopy'],
  ['consistent', 'cached', 'delegated'],
];

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
    tmpfsFlag: false,
    anonymous: false,
  };
}

/** Why a local volume name is refused (the message docker's local driver gives), or null. */
export function volumeNameError(name: string): string | null {
  if (name.length === 1) return 'volume name is too short, names should be at least two alphanumeric characters';
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) {
    return `"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`;
  }
  return null;
}

/** moby's linuxValidMountMode. */
export function validMountMode(mode: string): boolean {
  if (!mode) return true;
  const counts = MODE_KINDS.map(() => 0);
  for (const o of mode.split(',')) {
    const kind = MODE_KINDS.findIndex((words) => words.includes(o));
    if (kind < 0) return false;
    counts[kind]!++;
  }
  return counts.every((n) => n <= 1);
}

/** A destination inside the container: not empty, not "/", absolute (in docker's order). */
function targetError(target: string | undefined): string | null {
  if (!target) return 'field Target must not be empty';
  if (posix.normalize(target) === '/') return "invalid specification: destination can't be '/'";
  if (!target.startsWith('/')) return `invalid mount path: '${target}' mount path must be absolute`;
  return null;
}

/** moby's ValidateMountConfig: the reason a Mount is refused, or null. */
function mountConfigError(m: MountSpec): string | null {
  const t = targetError(m.Target);
  if (t) return t;
  switch (m.Type) {
    case 'bind':
      if (!m.Source) return 'field Source must not be empty';
      if (m.BindOptions?.Propagation && !PROPAGATIONS.includes(m.BindOptions.Propagation))
        return `invalid propagation mode: ${m.BindOptions.Propagation}`;
      if (m.VolumeOptions) return 'field VolumeOptions must not be specified';
      if (!m.Source.startsWith('/')) return `invalid mount path: '${m.Source}' mount path must be absolute`;
      return null;
    case 'volume':
      return m.BindOptions ? 'field BindOptions must not be specified' : null;
    case 'tmpfs':
      if (m.BindOptions) return 'field BindOptions must not be specified';
      if (m.Source) return 'field Source must not be specified';
      return null;
    default:
      return 'mount type unknown';
  }
}

function fromSpec(m: MountSpec): MountRequest {
  const r = base(m.Type as MountType);
  r.source = m.Type === 'bind' ? posix.normalize(m.Source!) : (m.Source ?? '');
  r.target = m.Target;
  r.readOnly = !!m.ReadOnly;
  if (m.Type === 'bind') r.propagation = m.BindOptions?.Propagation || 'rprivate';
  r.noCopy = !!m.VolumeOptions?.NoCopy;
  r.volumeLabels = { ...(m.VolumeOptions?.Labels ?? {}) };
  r.volumeDriver = m.VolumeOptions?.DriverConfig?.Name || 'local';
  r.volumeOptions = { ...(m.VolumeOptions?.DriverConfig?.Options ?? {}) };
  r.tmpfsSize = m.TmpfsOptions?.SizeBytes ?? 0;
  r.tmpfsMode = m.TmpfsOptions?.Mode ?? 0;
  return r;
}

/** A Mount object (HostConfig.Mounts, what `--mount` becomes). The caller checks that a bind source exists. */
export function validateMountSpec(m: MountSpec): MountRequest {
  const why = mountConfigError(m);
  if (why) throw invalidArg(`invalid mount config for type "${m.Type}": ${why}`);
  return fromSpec(m);
}

/** -v / --volume: `/path` (anonymous volume), `name:/path[:mode]`, `/host:/path[:mode]`. */
export function parseVolumeFlag(raw: string): MountRequest {
  const invalidSpec = `invalid volume specification: '${raw}'`;
  const arr = raw.split(':');
  if (arr.length > 4) arr.splice(3, arr.length - 3, arr.slice(3).join(':'));
  if (!arr[0]) throw invalidArg(invalidSpec);
  let source = '';
  let mode = '';
  let target: string;
  if (arr.length === 1) target = arr[0]!;
  else if (arr.length === 2) {
    if (validMountMode(arr[1]!)) throw invalidArg(invalidSpec); // a destination and a mode, no source
    [source, target] = arr as [string, string];
  } else if (arr.length === 3) [source, target, mode] = arr as [string, string, string];
  else throw invalidArg(invalidSpec);
  if (!validMountMode(mode)) throw invalidArg(`invalid mode: ${mode}`);
  const words = mode ? mode.split(',') : [];
  const spec: MountSpec = {
    Type: source.startsWith('/') ? 'bind' : 'volume',
    Source: source,
    Target: target,
    ReadOnly: words.includes('ro'),
  };
  if (words.includes('nocopy')) spec.VolumeOptions = { NoCopy: true };
  const propagation = words.find((w) => PROPAGATIONS.includes(w));
  if (propagation) spec.BindOptions = { Propagation: propagation };
  const why = mountConfigError(spec);
  if (why) throw invalidArg(`${invalidSpec}: invalid mount config for type "${spec.Type}": ${why}`);
  const m = fromSpec(spec);
  m.mode = mode;
  m.createSource = m.type === 'bind';
  return m;
}

/**
 * An image's VOLUME: an anonymous volume at the key, which is a path inside
 * the container and nothing else (moby's filepath.Clean(spec)); never parsed
 * as a -v spec, so "/:/host" is the directory "/:/host", not the host's root.
 * Keys are checked when images enter the store; one that got in anyway and is
 * not absolute is refused here.
 */
export function imageVolumeRequest(key: string): MountRequest {
  const why = targetError(key);
  if (why) throw invalidArg(`invalid VOLUME in the image config: ${why}`);
  const m = base('volume');
  m.target = posix.normalize(key);
  return m;
}

/** --tmpfs /path[:options] (options as mount(8) takes them: size=64m,mode=1770,exec,...). */
export function parseTmpfsFlag(spec: string): MountRequest {
  const colon = spec.indexOf(':');
  const target = colon < 0 ? spec : spec.slice(0, colon);
  const opts = colon < 0 ? '' : spec.slice(colon + 1);
  const m = base('tmpfs');
  m.target = target;
  m.tmpfsFlag = true;
  const why = targetError(target);
  if (why) throw invalidArg(why);
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
    else if (
      /^(exec|noexec|suid|nosuid|dev|nodev|uid=\d+|gid=\d+|nr_inodes=\d+[kmg]?|nr_blocks=\d+[kmg]?|mpol=.+|atime|noatime|relatime|strictatime)$/.test(
        o,
      )
    )
      m.tmpfsOptions.push(o);
    else throw invalidArg(`invalid tmpfs option "${o}" in "${spec}"`);
  }
  return m;
}

/** The local driver's options (-o / volume-opt): type, device, o; the reason they are refused, or null. */
export function volumeOptionsError(opts: Record<string, string>): string | null {
  for (const k of Object.keys(opts)) if (!['type', 'device', 'o'].includes(k)) return `invalid option: "${k}"`;
  if ((opts.type || opts.device) && !opts.type) return 'missing required option: "type"';
  if ((opts.type || opts.device) && !opts.device) return 'missing required option: "device"';
  return null;
}
