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
import {
  familiarString,
  normalizedString,
  parseReference,
  parseRepoTag,
  withDefaultTag,
} from '../engine/reference/reference.js';
import { BerthError } from '../engine/errors.js';
import { parsePlatform } from '../engine/image/platform.js';
import { hostPlatform } from '../engine/registry/platform-match.js';
import { splitTerm } from '../engine/registry/search-term.js';

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

/** A reference to pull or push (name[:tag][@digest]); docker's "invalid reference format" messages. */
export const checkReference = (s: string) => message(() => parseReference(s));

/** A platform to pull (os/arch[/variant]); docker's message for one it does not know. */
export const checkPlatform = (s: string) => message(() => parsePlatform(s, hostPlatform().architecture));

/** This machine's platform, "linux/amd64" (what a pull picks from a list by default). */
export function hostPlatformName(): string {
  const p = hostPlatform();
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/**
 * A name push can send: a repository with a tag (an image ID or a digest reference names nothing to push
 * to); docker's "invalid reference format" for a bad one.
 */
export function checkPushName(s: string): string | null {
  if (/^(sha256:)?[0-9a-f]{12,64}$/.test(s)) return 'an image without a name cannot be pushed: tag it first';
  return message(() => {
    const ref = parseReference(s);
    if (ref.digest) throw new BerthError('INVALID_ARGUMENT', 'a digest cannot be pushed: push a tag');
  });
}

/** The registry a reference lives in: "docker.io", "127.0.0.1:5000". Throws INVALID_ARGUMENT. */
export const registryOf = (s: string): string => parseReference(s).domain;

/** The registry a search term asks: REGISTRY of "REGISTRY/TERM", else docker.io. */
export const searchRegistry = (term: string): string => splitTerm(term).registry;

/**
 * The canonical name docker's CLI prints after a pull or push
 * (docker.io/library/busybox:latest; the repository alone with all tags),
 * and whether the tag was defaulted to latest. Throws INVALID_ARGUMENT.
 */
export function canonicalName(s: string, allTags = false): { full: string; defaulted: boolean } {
  const ref = parseReference(s);
  if (allTags) {
    if (ref.tag || ref.digest) throw new BerthError('INVALID_ARGUMENT', "tag can't be used with --all-tags/-a");
    return { full: normalizedString(ref), defaulted: false };
  }
  const defaulted = !ref.tag && !ref.digest;
  return { full: normalizedString(withDefaultTag(ref)), defaulted };
}
