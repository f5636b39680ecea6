/**
 * `--device` as docker takes it: HostConfig.Devices entries ({PathOnHost,
 * PathInContainer, CgroupPermissions}), checked with docker's words (the
 * CLI parses the flag, cli/security-flags.ts). Pure; the host's device nodes are
 * read when the bundle is written (runtime/devices.ts).
 */
import { invalidArg } from '../errors.js';

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

/** r, w and m, each at most once (docker's validDeviceMode). */
export function validDeviceMode(mode: string): boolean {
  return mode.length > 0 && /^[rwm]+$/.test(mode) && new Set(mode).size === mode.length;
}

/** Where berth can make a device node in the container: under /dev (docker allows any path). */
export function checkDevicePath(dst: string): void {
  if (!dst.startsWith('/dev/') || dst.split('/').includes('..'))
    throw invalidArg(`invalid device path in the container: ${dst} (berth creates device nodes under /dev only)`);
}

/** A mapping from the API or the CLI, as the engine accepts it. */
export function checkDeviceMapping(d: DeviceMapping): DeviceMapping {
  if (!d || typeof d.PathOnHost !== 'string' || !d.PathOnHost) throw invalidArg('a device needs PathOnHost');
  const dst = d.PathInContainer || d.PathOnHost;
  const mode = d.CgroupPermissions || 'rwm';
  if (!validDeviceMode(mode)) throw invalidArg(`invalid device mode: ${mode}`);
  if (!dst.startsWith('/')) throw invalidArg(`${dst} is not an absolute path`);
  return { PathOnHost: d.PathOnHost, PathInContainer: dst, CgroupPermissions: mode };
}
