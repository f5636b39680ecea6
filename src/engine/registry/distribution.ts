/**
 * What a registry says of a reference without pulling it: the descriptor of
 * the manifest the reference names and the platforms it has (a list's
 * entries, or the single image's config), for the API's
 * GET /distribution/{name}/json. Nothing is stored.
 */
import { BerthError } from '../errors.js';
import { familiarString, parseReference, withDefaultTag } from '../reference/reference.js';
import type { DistributionInfo, RegistryCredentials } from '../types.js';
import { parseManifest } from './manifest.js';
import { fetchConfig, fetchManifest } from './resolve-manifest.js';
import type { RegistryService } from './service.js';

type Platform = DistributionInfo['platforms'][number];

/** docker's platform fields of an image config or a list entry, in its order (os.version, os.features, variant when set). */
function platformOf(p: {
  architecture?: unknown;
  os?: unknown;
  variant?: unknown;
  'os.version'?: unknown;
  'os.features'?: unknown;
}): Platform {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const out: Platform = { architecture: str(p.architecture), os: str(p.os) };
  if (str(p['os.version'])) out['os.version'] = str(p['os.version']);
  if (Array.isArray(p['os.features']) && p['os.features'].length)
    out['os.features'] = p['os.features'].filter((f): f is string => typeof f === 'string');
  if (str(p.variant)) out.variant = str(p.variant);
  return out;
}

export async function inspectDistribution(
  service: RegistryService,
  input: string,
  opts: { auth?: RegistryCredentials | null; signal?: AbortSignal } = {},
): Promise<DistributionInfo> {
  const ref = withDefaultTag(parseReference(input));
  let found: Awaited<ReturnType<typeof fetchManifest>>;
  try {
    found = await fetchManifest(service.pullHosts(ref.domain, opts.auth), ref, opts.signal);
  } catch (e) {
    // dockerd passes the registry's own words on here, without the pull's "manifest for X not found: "
    const m =
      e instanceof BerthError && e.code === 'NOT_FOUND' ? /^manifest for \S+ not found: (.+)$/.exec(e.message) : null;
    if (m) throw new BerthError('NOT_FOUND', m[1]!, { cause: e });
    throw e;
  }
  const { repo, fetched } = found;
  const m = parseManifest(fetched.bytes, fetched.contentType, familiarString(ref));
  const descriptor = { mediaType: m.mediaType, digest: fetched.digest, size: fetched.bytes.length };
  if (m.kind === 'list') {
    return { descriptor, platforms: m.manifests.filter((d) => d.platform).map((d) => platformOf(d.platform!)) };
  }
  const bytes = await fetchConfig(repo, m.config, opts.signal);
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new BerthError('INVALID_ARGUMENT', `image config ${m.config.digest} is not valid JSON`);
  }
  return { descriptor, platforms: [platformOf(cfg)] };
}
