/**
 * Pure interpretation of an image archive's index files. Given the JSON
 * documents and the layer blobs found while streaming an archive, work out
 * which images it holds: their config, layers (in order) and names. Knows the
 * docker-archive forms (docker <= 24 with <id>/layer.tar, docker >= 25 with
 * blobs/sha256, podman/skopeo with <diffid>.tar) and OCI image layouts.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { BerthError, invalidArchive } from '../errors.js';

/** A file of the archive that looked like a layer (not JSON). */
export interface LayerCandidate {
  name: string;
  /** sha256 of the bytes as stored in the archive (maybe compressed). */
  rawDigest: string;
  /** sha256 of the uncompressed tar: the DiffID. Empty when the data was unusable. */
  diffId: string;
  error?: BerthError;
}

export interface ArchiveImage {
  configName: string;
  configBytes: Buffer;
  /** The candidate names of its layers, bottom first. */
  layers: string[];
  /** Names as written in the archive (docker form or full references). */
  repoTags: string[];
  /** docker-archive "Parent" (an image ID), if any. */
  parent?: string;
  /** Raw digest each layer must have (OCI descriptors), by position. */
  layerDigests?: string[];
}

export interface ArchiveContents {
  /** Small JSON-ish documents by normalised path. */
  docs: Map<string, Buffer>;
  /** Symlink entries: normalised path -> normalised target path. */
  links: Map<string, string>;
}

/** Normalise an archive member name: no leading ./ or /, no trailing /. */
export function memberName(name: string): string {
  let n = posix.normalize('/' + name).slice(1);
  if (n.endsWith('/')) n = n.slice(0, -1);
  return n;
}

/** Follow symlink entries (relative to the link's directory), as docker does for layer.tar links. */
export function resolveMember(c: ArchiveContents, name: string): string {
  let cur = memberName(name);
  for (let i = 0; i < 16; i++) {
    const target = c.links.get(cur);
    if (target === undefined) return cur;
    cur = target;
  }
  throw invalidArchive(`archive member ${name}: too many levels of symbolic links`);
}

export function linkTarget(linkName: string, target: string): string {
  return target.startsWith('/') ? memberName(target) : memberName(posix.join(posix.dirname(linkName), target));
}

function parseJson<T>(c: ArchiveContents, name: string, what: string): T {
  const buf = c.docs.get(name);
  if (!buf) throw invalidArchive(`archive is missing ${what} ${name}`);
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch (e) {
    throw invalidArchive(`${what} ${name} is not valid JSON`, e);
  }
}

interface DockerManifestItem {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[];
  Parent?: string;
}

function dockerArchive(c: ArchiveContents): ArchiveImage[] {
  const items = parseJson<DockerManifestItem[]>(c, 'manifest.json', 'manifest');
  if (!Array.isArray(items)) throw invalidArchive('manifest.json is not a list of images');
  return items.map((it, i) => {
    if (typeof it?.Config !== 'string' || !Array.isArray(it.Layers)) {
      throw invalidArchive(`manifest.json entry ${i} lacks Config or Layers`);
    }
    const configName = resolveMember(c, it.Config);
    const configBytes = c.docs.get(configName);
    if (!configBytes) throw invalidArchive(`archive is missing image config ${it.Config}`);
    return {
      configName,
      configBytes,
      layers: it.Layers.map((l) => resolveMember(c, l)),
      repoTags: Array.isArray(it.RepoTags) ? it.RepoTags.filter((t) => typeof t === 'string') : [],
      ...(typeof it.Parent === 'string' && it.Parent ? { parent: it.Parent } : {}),
    };
  });
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string; variant?: string };
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

function blobName(digest: string | undefined, what: string): string {
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest ?? '');
  if (!m) throw invalidArchive(`${what} has an invalid digest "${digest}"`);
  return `blobs/${m[1]}/${m[2]}`;
}

/**
 * An OCI blob read as a document must be what its descriptor names: the
 * digest (sha256 or sha512) and, when given, the size.
 */
function checkDescriptor(c: ArchiveContents, desc: Descriptor, name: string, what: string): void {
  const bytes = c.docs.get(name);
  if (!bytes) return; // reported as missing by the caller
  const [alg, hex] = (desc.digest ?? '').split(':') as [string, string];
  if (alg !== 'sha256' && alg !== 'sha512')
    throw invalidArchive(`${what} ${desc.digest}: unsupported digest algorithm "${alg}"`);
  const actual = `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
  if (actual !== `${alg}:${hex}`)
    throw new BerthError(
      'DIGEST_MISMATCH',
      `${what} ${name}: digest mismatch: descriptor says ${desc.digest}, content is ${actual}`,
    );
  if (typeof desc.size === 'number' && desc.size !== bytes.length)
    throw new BerthError(
      'DIGEST_MISMATCH',
      `${what} ${name}: size mismatch: descriptor says ${desc.size} bytes, content is ${bytes.length}`,
    );
}

function hostArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

function ociArchive(c: ArchiveContents): ArchiveImage[] {
  const index = parseJson<{ manifests?: Descriptor[] }>(c, 'index.json', 'OCI index');
  const out: ArchiveImage[] = [];
  const visit = (desc: Descriptor, names: string[], depth: number): void => {
    if (depth > 4) throw invalidArchive('OCI index nests too deeply');
    const name = blobName(desc.digest, 'manifest descriptor');
    checkDescriptor(c, desc, name, 'manifest');
    const doc = parseJson<{ mediaType?: string; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] }>(
      c,
      name,
      'manifest',
    );
    const type = doc.mediaType ?? desc.mediaType ?? '';
    if (INDEX_TYPES.has(type) || Array.isArray(doc.manifests)) {
      const ms = (doc.manifests ?? []).filter(
        (m) => !m.platform || (m.platform.os === 'linux' && m.platform.architecture === hostArch()),
      );
      if (!ms.length) throw invalidArchive(`image index ${desc.digest} has no manifest for linux/${hostArch()}`);
      visit(ms[0]!, names, depth + 1);
      return;
    }
    if (!doc.config || !Array.isArray(doc.layers))
      throw invalidArchive(`manifest ${desc.digest} lacks config or layers`);
    const configName = blobName(doc.config.digest, 'config descriptor');
    const configBytes = c.docs.get(configName);
    if (!configBytes) throw invalidArchive(`archive is missing image config ${doc.config.digest}`);
    checkDescriptor(c, doc.config, configName, 'image config');
    out.push({
      configName,
      configBytes,
      layers: doc.layers.map((l) => blobName(l.digest, 'layer descriptor')),
      layerDigests: doc.layers.map((l) => l.digest!),
      repoTags: names,
    });
  };
  for (const desc of index.manifests ?? []) {
    const a = desc.annotations ?? {};
    const name = a['io.containerd.image.name'] ?? a['org.opencontainers.image.ref.name'];
    visit(desc, name ? [name] : [], 0);
  }
  return out;
}

/** Which images the archive holds. docker-archive's manifest.json wins over index.json. */
export function archiveImages(c: ArchiveContents): ArchiveImage[] {
  if (c.docs.has('manifest.json')) return dockerArchive(c);
  if (c.docs.has('index.json')) return ociArchive(c);
  throw invalidArchive('not an image archive: it has neither manifest.json nor index.json');
}

/** Members to keep in memory as documents rather than stream as layers. */
export function isDocumentName(name: string): boolean {
  const base = posix.basename(name);
  return (
    base === 'manifest.json' ||
    base === 'index.json' ||
    base === 'repositories' ||
    base === 'oci-layout' ||
    base === 'json' ||
    base === 'VERSION' ||
    base.endsWith('.json')
  );
}
