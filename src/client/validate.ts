/**
 * Checks of user input before anything is asked of the engine (dialogs
 * validate as the user types, with the engine's own rules and words): each
 * returns the message the engine would give, or null when the input is fine.
 */
import { applyChanges, shellWords } from '../engine/image/changes.js';
import { validateName } from '../engine/container/names.js';
import { parseVolumeFlag, volumeNameError } from '../engine/volume/mount-spec.js';
import {
  familiarString,
  normalizedString,
  parseReference,
  parseRepoTag,
  withDefaultTag,
} from '../engine/reference/reference.js';
import { BerthError } from '../engine/errors.js';

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

/** A reference to pull or push (name[:tag][@digest]); docker's "invalid reference format" messages. */
export const checkReference = (s: string) => message(() => parseReference(s));

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
