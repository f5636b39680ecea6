/**
 * Manifests as the distribution API serves them: docker's schema 2 manifest
 * and manifest list, OCI's image manifest and index. Pure: parse and check
 * the bytes a registry sent, build the bytes berth pushes.
 */
import { BerthError } from '../errors.js';
import { MT, isImageManifest, isList, isSchema1, layerCompression } from './media-types.js';

/** The distribution limit on a manifest's size. */
export const MAX_MANIFEST = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string; 'os.version'?: string; 'os.features'?: string[] };
}

export interface ImageManifest {
  kind: 'image';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ManifestList {
  kind: 'list';
  mediaType: string;
  manifests: Descriptor[];
}

export type Manifest = ImageManifest | ManifestList;

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

const bad = (msg: string) => new BerthError('INVALID_ARGUMENT', msg);

function descriptor(d: unknown, where: string): Descriptor {
  const o = d as Partial<Descriptor> | null;
  if (!o || typeof o !== 'object') throw bad(`${where}: not a descriptor`);
  if (typeof o.digest !== 'string' || !DIGEST_RE.test(o.digest))
    throw bad(`${where}: unsupported digest ${JSON.stringify(o.digest)}`);
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) throw bad(`${where}: invalid size`);
  if (typeof o.mediaType !== 'string') throw bad(`${where}: no media type`);
  if (o.urls !== undefined && (!Array.isArray(o.urls) || o.urls.some((u) => typeof u !== 'string')))
    throw bad(`${where}: invalid urls`);
  return o as Descriptor;
}

/** docker's refusal of schema 1 (moby's deprecation notice). */
export function schema1Error(ref: string): BerthError {
  return new BerthError(
    'NOT_SUPPORTED',
    `[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support is disabled by default and will be removed in an upcoming release. Suggest the author of ${ref} to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2. More information at https://docs.docker.com/go/deprecated-image-specs/`,
  );
}

/**
 * Parse a manifest; `contentType` is what the registry said (the document's
 * own mediaType wins when it has one, as containerd reads it).
 */
export function parseManifest(bytes: Buffer, contentType: string, ref: string): Manifest {
  if (bytes.length > MAX_MANIFEST) throw manifestTooLarge(ref, bytes.length);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw bad(`manifest for ${ref} is not valid JSON`);
  }
  if (!doc || typeof doc !== 'object') throw bad(`manifest for ${ref} is not a JSON object`);
  const ct = contentType.split(';')[0]!.trim();
  let mt = typeof doc.mediaType === 'string' ? doc.mediaType : ct;
  if (doc.schemaVersion === 1 || isSchema1(mt)) throw schema1Error(ref);
  if (!isList(mt) && !isImageManifest(mt)) {
    // OCI documents may leave mediaType out: tell them apart by their fields.
    if (Array.isArray(doc.manifests)) mt = MT.ociIndex;
    else if (doc.config && Array.isArray(doc.layers)) mt = MT.ociManifest;
    else throw bad(`unsupported manifest media type ${JSON.stringify(mt)} for ${ref}`);
  }
  if (isList(mt)) {
    if (!Array.isArray(doc.manifests)) throw bad(`manifest list for ${ref} has no manifests`);
    return { kind: 'list', mediaType: mt, manifests: doc.manifests.map((d, i) => descriptor(d, `manifests[${i}]`)) };
  }
  if (!Array.isArray(doc.layers)) throw bad(`manifest for ${ref} has no layers`);
  const layers = doc.layers.map((d, i) => descriptor(d, `layers[${i}]`));
  for (const l of layers) {
    if (layerCompression(l.mediaType) === null) throw bad(`unsupported layer media type ${l.mediaType} in ${ref}`);
  }
  return { kind: 'image', mediaType: mt, config: descriptor(doc.config, 'config'), layers };
}

export function manifestTooLarge(ref: string, size: number): BerthError {
  return new BerthError(
    'INVALID_ARGUMENT',
    `manifest for ${ref} is too large: ${size} bytes, the limit is ${MAX_MANIFEST}`,
  );
}

/** The manifest berth pushes for an image: docker schema 2, or OCI when the image came as OCI. */
export function buildManifest(
  oci: boolean,
  config: { digest: string; size: number },
  layers: { digest: string; size: number; mediaType: string; urls?: string[] }[],
): Buffer {
  const doc = {
    schemaVersion: 2,
    mediaType: oci ? MT.ociManifest : MT.dockerManifest,
    config: { mediaType: oci ? MT.ociConfig : MT.dockerConfig, size: config.size, digest: config.digest },
    layers: layers.map((l) => ({
      mediaType: l.mediaType,
      size: l.size,
      digest: l.digest,
      ...(l.urls?.length ? { urls: l.urls } : {}),
    })),
  };
  // docker indents its manifests with three spaces
  return Buffer.from(JSON.stringify(doc, null, 3));
}
