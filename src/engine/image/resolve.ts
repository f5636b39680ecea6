/**
 * From what a user typed to an image, as docker resolves it: a full ID
 * (`sha256:<64 hex>` or 64 hex), a name with tag or digest (normalised:
 * `busybox` finds docker.io/library/busybox:latest), or a short ID prefix.
 */
import { BerthError, notFound } from '../errors.js';
import {
  familiarString,
  normalizedString,
  parseReference,
  withDefaultTag,
  type Reference,
} from '../reference/reference.js';
import type { ImageDb } from './image-db.js';

export interface ResolvedImage {
  id: string;
  /** When the input was a name: the normalised tag or digest name it matched. */
  name?: string;
  kind: 'id' | 'tag' | 'digest';
}

const FULL_ID = /^(?:sha256:)?([a-f0-9]{64})$/;
const ID_PREFIX = /^(?:sha256:)?([a-f0-9]{1,63})$/;

/** The name docker shows for a missing image in errors: `busybox:latest`. */
export function displayName(input: string): string {
  try {
    return familiarString(withDefaultTag(parseReference(input)));
  } catch {
    return input;
  }
}

function byPrefix(images: ImageDb, hex: string): string | null {
  const ids = images.idsWithPrefix(hex);
  if (ids.length > 1) {
    throw new BerthError('CONFLICT', `multiple IDs found with provided prefix: ${hex}`);
  }
  return ids[0] ?? null;
}

export function tryResolveImage(images: ImageDb, input: string): ResolvedImage | null {
  const full = FULL_ID.exec(input);
  if (full) {
    const id = `sha256:${full[1]}`;
    return images.image(id) ? { id, kind: 'id' } : null;
  }
  let ref: Reference | null = null;
  try {
    ref = parseReference(input);
  } catch {
    ref = null;
  }
  if (ref) {
    if (ref.digest) {
      const name = normalizedString(ref);
      const id = images.digestTarget(name) ?? images.digestTarget(normalizedString({ ...ref, tag: undefined }));
      if (id) return { id, name, kind: 'digest' };
    } else {
      const name = normalizedString(withDefaultTag(ref));
      const id = images.tagTarget(name);
      if (id) return { id, name, kind: 'tag' };
    }
  }
  const prefix = ID_PREFIX.exec(input);
  if (prefix) {
    const id = byPrefix(images, prefix[1]!);
    if (id) return { id, kind: 'id' };
  }
  if (!ref && !prefix) {
    // Not a name and not an ID: let the grammar say why.
    parseReference(input);
  }
  return null;
}

export function resolveImage(images: ImageDb, input: string): ResolvedImage {
  const r = tryResolveImage(images, input);
  if (!r) throw notFound(`No such image: ${displayName(input)}`);
  return r;
}
