/**
 * What the docker CLI checks in mount flags before anything reaches the
 * engine (its opts.MountOpt and the -v split): `--mount` CSV becomes the API's
 * Mount object, with docker's usage messages. The engine validates the rest
 * (types, paths, sources) as the docker daemon does. Pure.
 */
import { resolve } from 'node:path';
import type { MountSpec } from '../client/api.js';
import { ramInBytes } from '../client/units.js';

/** A field list as Go's encoding/csv reads one record ("" quotes, "" inside quotes). */
export function csvFields(s: string): string[] {
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

/** strconv.ParseBool. */
function goBool(v: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return null;
}

export class MountOptError extends Error {}

/** `--mount type=...,source=...,target=...`: docker's Mount object, or MountOptError with the CLI's message. */
export function parseMountOpt(value: string, cwd = process.cwd()): MountSpec {
  const m: MountSpec = { Type: 'volume', Target: '' };
  const volumeOptions = () => (m.VolumeOptions ??= { DriverConfig: {} });
  const bindOptions = () => (m.BindOptions ??= {});
  const tmpfsOptions = () => (m.TmpfsOptions ??= {});
  const setOn = (target: Record<string, string>, v: string) => {
    const eq = v.indexOf('=');
    const k = eq < 0 ? v : v.slice(0, eq);
    if (k) target[k] = eq < 0 ? '' : v.slice(eq + 1);
  };
  const bool = (key: string, v: string) => {
    const b = goBool(v);
    if (b === null) throw new MountOptError(`invalid value for ${key}: ${v}`);
    return b;
  };
  let typeSet = false;
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    if (eq < 0) {
      if (field === 'readonly' || field === 'ro') m.ReadOnly = true;
      else if (field === 'volume-nocopy') volumeOptions().NoCopy = true;
      else if (field === 'bind-nonrecursive') bindOptions().NonRecursive = true;
      else throw new MountOptError(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    const key = field.slice(0, eq);
    const val = field.slice(eq + 1);
    switch (key) {
      case 'type':
        m.Type = val.toLowerCase() as MountSpec['Type'];
        typeSet = true;
        break;
      case 'source':
      case 'src':
        m.Source = val === '.' || val.startsWith('./') ? resolve(cwd, val) : val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.Target = val;
        break;
      case 'readonly':
      case 'ro':
        m.ReadOnly = bool(key, val);
        break;
      case 'consistency':
        break;
      case 'bind-propagation':
        bindOptions().Propagation = val.toLowerCase();
        break;
      case 'bind-nonrecursive':
        bindOptions().NonRecursive = bool(key, val);
        break;
      case 'volume-nocopy':
        volumeOptions().NoCopy = bool(key, val);
        break;
      case 'volume-label':
        setOn((volumeOptions().Labels ??= {}), val);
        break;
      case 'volume-driver':
        volumeOptions().DriverConfig!.Name = val;
        break;
      case 'volume-opt':
        setOn((volumeOptions().DriverConfig!.Options ??= {}), val);
        break;
      case 'tmpfs-size': {
        try {
          tmpfsOptions().SizeBytes = ramInBytes(val);
        } catch {
          throw new MountOptError(`invalid value for ${key}: ${val}`);
        }
        break;
      }
      case 'tmpfs-mode':
        if (!/^[0-7]+$/.test(val) || parseInt(val, 8) > 0xffffffff)
          throw new MountOptError(`invalid value for ${key}: ${val}`);
        tmpfsOptions().Mode = parseInt(val, 8);
        break;
      default:
        throw new MountOptError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (typeSet && !m.Type) throw new MountOptError('type is required');
  if (!m.Target) throw new MountOptError('target is required');
  if (m.VolumeOptions && m.Type !== 'volume')
    throw new MountOptError(`cannot mix 'volume-*' options with mount type '${m.Type}'`);
  if (m.BindOptions && m.Type !== 'bind')
    throw new MountOptError(`cannot mix 'bind-*' options with mount type '${m.Type}'`);
  if (m.TmpfsOptions && m.Type !== 'tmpfs')
    throw new MountOptError(`cannot mix 'tmpfs-*' options with mount type '${m.Type}'`);
  return m;
}

/** `-v`: the docker CLI only refuses empty parts; the engine parses the rest. */
export function checkVolumeOpt(value: string): void {
  if (!value) throw new MountOptError('invalid empty volume spec');
  if (value.split(':').some((p) => p === ''))
    throw new MountOptError(`invalid spec: ${value}: empty section between colons`);
}
