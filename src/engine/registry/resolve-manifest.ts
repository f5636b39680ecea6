/**
 * From a reference to the image manifest to pull: the manifest by tag or
 * digest (from a mirror first for docker.io), a list or index narrowed to
 * one platform, and the image config, each checked against its digest.
 */
import { createHash } from 'node:crypto';
import { BerthError } from '../errors.js';
import { familiarName, familiarString, type Reference } from '../reference/reference.js';
import type { Platform } from '../image/platform.js';
import type { ImageConfig } from '../image/types.js';
import { imageConfigError } from '../image/config-check.js';
import { readText, type FetchedManifest, type RegistryHost, type Repository } from './client.js';
import { parseManifest, type Descriptor, type ImageManifest } from './manifest.js';
import { configMatches, platformString, selectManifest } from './platform-match.js';

export interface Resolved {
  repo: Repository;
  /** The digest the reference resolved to (a list's own digest for a multi-platform image): the RepoDigest. */
  digest: string;
  /** The manifests to keep: the list (if any) and the image manifest. */
  manifests: { digest: string; mediaType: string; bytes: Buffer }[];
  manifest: ImageManifest;
  config: ImageConfig;
  configBytes: Buffer;
}

export const names = (ref: Reference) => ({ ref: familiarString(ref), repo: familiarName(ref) });

/** The manifest from the first host that has it (mirrors before docker.io); errors are the last host's. */
export async function fetchManifest(
  hosts: RegistryHost[],
  ref: Reference,
  signal?: AbortSignal,
): Promise<{ repo: Repository; fetched: FetchedManifest }> {
  let last: unknown;
  for (const h of hosts) {
    const repo = h.repository(ref.path);
    try {
      return { repo, fetched: await repo.getManifest(ref.digest ?? ref.tag ?? 'latest', names(ref), signal) };
    } catch (e) {
      if (e instanceof BerthError && (e.code === 'CANCELLED' || e.code === 'DIGEST_MISMATCH')) throw e;
      last = e;
    }
  }
  throw last;
}

export async function fetchConfig(repo: Repository, desc: Descriptor, signal?: AbortSignal): Promise<Buffer> {
  if (desc.size > 64 * 1024 * 1024)
    throw new BerthError('INVALID_ARGUMENT', `image config ${desc.digest} is too large`);
  const res = await repo.getBlob(desc.digest, 0, signal);
  const text = Buffer.from(await readText(res.body, desc.size + 1), 'utf8');
  const digest = 'sha256:' + createHash('sha256').update(text).digest('hex');
  if (digest !== desc.digest)
    throw new BerthError('DIGEST_MISMATCH', `image config verification failed for digest ${desc.digest}`);
  return text;
}

export async function resolveImage(
  hosts: RegistryHost[],
  ref: Reference,
  platform: Platform,
  explicitPlatform: boolean,
  signal?: AbortSignal,
  prefetched?: { repo: Repository; fetched: FetchedManifest },
): Promise<Resolved> {
  const { repo, fetched } = prefetched ?? (await fetchManifest(hosts, ref, signal));
  const shown = familiarString(ref);
  const top = parseManifest(fetched.bytes, fetched.contentType, shown);
  const manifests = [{ digest: fetched.digest, mediaType: top.mediaType, bytes: fetched.bytes }];
  let manifest: ImageManifest;
  if (top.kind === 'list') {
    const chosen = selectManifest(top.manifests, platform);
    const child = await repo.getManifest(chosen.digest, names(ref), signal);
    const m = parseManifest(child.bytes, child.contentType || chosen.mediaType, shown);
    if (m.kind !== 'image') throw new BerthError('NOT_SUPPORTED', `${shown}: a manifest list inside a manifest list`);
    manifest = m;
    manifests.push({ digest: child.digest, mediaType: m.mediaType, bytes: child.bytes });
  } else {
    manifest = top;
  }
  const configBytes = await fetchConfig(repo, manifest.config, signal);
  let config: ImageConfig;
  try {
    config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  } catch {
    throw new BerthError('INVALID_ARGUMENT', `image config ${manifest.config.digest} is not valid JSON`);
  }
  // what may enter the store, checked before any layer is fetched (commitImages checks again)
  const why = imageConfigError(config);
  if (why) throw new BerthError('INVALID_ARGUMENT', `image ${manifest.config.digest}: ${why}`);
  const diffIds = config?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.some((d) => typeof d !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(d))) {
    throw new BerthError('INVALID_ARGUMENT', `image config ${manifest.config.digest} has no valid rootfs.diff_ids`);
  }
  if (diffIds.length !== manifest.layers.length) {
    throw new BerthError('INVALID_ARGUMENT', "layers from manifest don't match image configuration");
  }
  if (top.kind === 'image' && explicitPlatform && !configMatches(config, platform)) {
    const actual = platformString({
      os: config.os ?? 'linux',
      architecture: config.architecture ?? 'unknown',
      ...(config.variant ? { variant: config.variant } : {}),
    });
    throw new BerthError(
      'NOT_FOUND',
      `image with reference ${shown} was found but does not match the specified platform: wanted ${platformString(platform)}, actual: ${actual}`,
    );
  }
  return { repo, digest: fetched.digest, manifests, manifest, config, configBytes };
}
