/**
 * What the docker CLI does with `--security-opt` and `--device` before a
 * request reaches the engine, with its messages: an option needs a value
 * (but no-new-privileges), `seccomp=FILE` becomes `seccomp=<the file's JSON,
 * compacted>` (so inspect shows the profile that applied, as docker's does),
 * and `--device /dev/X[:/dev/Y][:rwm]` becomes the API's device mapping.
 */
import { readFileSync } from 'node:fs';
import type { DeviceMapping } from '../client/api.js';
import { UsageError } from './context.js';

export function securityOpts(values: string[]): string[] {
  return values.map((opt) => {
    let cut = opt.indexOf('=');
    if (cut < 0 && opt !== 'no-new-privileges') cut = opt.indexOf(':');
    const key = cut < 0 ? opt : opt.slice(0, cut);
    const value = cut < 0 ? '' : opt.slice(cut + 1);
    if (!value && key !== 'no-new-privileges') throw new UsageError(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (key !== 'seccomp' || value === 'unconfined' || value === 'builtin') return opt;
    let text: string;
    try {
      text = readFileSync(value, 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message;
      throw new UsageError(`opening seccomp profile (${value}) failed: open ${value}: ${why}`);
    }
    try {
      return `seccomp=${JSON.stringify(JSON.parse(text))}`;
    } catch (e) {
      throw new UsageError(`compacting json for seccomp profile (${value}) failed: ${(e as Error).message}`);
    }
  });
}

const validMode = (m: string) => m.length > 0 && /^[rwm]+$/.test(m) && new Set(m).size === m.length;

/** docker's validateLinuxPath then parseLinuxDevice. */
export function deviceOpt(spec: string): DeviceMapping {
  const parts = spec.split(':');
  if (parts.length > 3 || !parts[0]) throw new UsageError(`bad format for path: ${spec}`);
  let dst = '';
  let mode = 'rwm';
  if (parts.length === 3) {
    if (!validMode(parts[2]!)) throw new UsageError(`bad mode specified: ${parts[2]}`);
    [dst, mode] = [parts[1]!, parts[2]!];
  } else if (parts.length === 2) {
    if (validMode(parts[1]!)) mode = parts[1]!;
    else dst = parts[1]!;
  }
  const inContainer = dst || parts[0]!;
  if (!inContainer.startsWith('/')) throw new UsageError(`${inContainer} is not an absolute path`);
  return { PathOnHost: parts[0]!, PathInContainer: inContainer, CgroupPermissions: mode };
}
