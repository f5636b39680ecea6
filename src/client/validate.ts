/**
 * Checks of user input before anything is asked of the engine (dialogs
 * validate as the user types, with the engine's own rules and words): each
 * returns the message the engine would give, or null when the input is fine.
 */
import { applyChanges, shellWords } from '../engine/image/changes.js';
import { validateName } from '../engine/container/names.js';
import { parseVolumeFlag, volumeNameError } from '../engine/volume/mount-spec.js';
import { parseIp4, parseSubnet4 } from '../engine/network/ipv4.js';
import { parseSubnet6 } from '../engine/network/ipv6.js';
import { portConfig } from '../engine/network/ports.js';
import { familiarString, parseRepoTag, withDefaultTag } from '../engine/reference/reference.js';

function message(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A name to tag or commit as (repository[:tag], no digest). */
export const checkRepoTag = (s: string) => message(() => parseRepoTag(s));

/** "bb" -> "bb:latest", "docker.io/library/bb:1" -> "bb:1" (docker's familiar form). */
export const familiarRepoTag = (s: string) => familiarString(withDefaultTag(parseRepoTag(s)));

/** Commit/import changes, one instruction per entry (CMD, ENV, ...). */
export const checkChanges = (lines: string[]) => message(() => applyChanges({}, lines));

export const checkContainerName = (s: string) => message(() => validateName(s));

export const checkVolumeName = (s: string) => volumeNameError(s);

/** A -v specification. */
export const checkVolumeSpec = (s: string) => message(() => parseVolumeFlag(s));

/** A command line split into words as a shell would (quotes, backslashes), without expanding variables. */
export const splitCommand = (s: string) => shellWords(s, {}, false);

/** A -p specification ([IP:][HOSTPORT:]CONTAINERPORT[/PROTO]), with docker's messages. */
export const checkPortSpec = (s: string) => message(() => portConfig([s], []));

/** A network's name, as `network create` takes it. */
export const checkNetworkName = (s: string) =>
  /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(s) ? null : `invalid network name "${s}"`;

/** A subnet in CIDR form, IPv4 or IPv6. */
export const checkSubnet = (s: string) => (parseSubnet4(s) || parseSubnet6(s) ? null : `invalid CIDR address: ${s}`);

/** An IPv4 address. */
export const checkIp4 = (s: string) => (parseIp4(s) === null ? `invalid IPv4 address: ${s}` : null);
