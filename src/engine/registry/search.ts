/**
 * `search`: Docker Hub's search API (`/v1/search?q=TERM&n=LIMIT`, on
 * index.docker.io for plain terms), and for `REGISTRY/TERM` the registry's
 * own v1 search when it has one, else its /v2/_catalog filtered by the term,
 * as podman searches a distribution registry. `listTags` is podman's
 * `search --list-tags`.
 */
import { BerthError } from '../errors.js';
import { DEFAULT_DOMAIN, isValidTag, parseReference, repoName } from '../reference/reference.js';
import type { SearchOptions, SearchResult } from '../types.js';
import { readText } from './client.js';
import { printable } from './errors.js';
import { header } from './http.js';
import { splitTerm } from './search-term.js';
import type { RegistryService } from './service.js';

export { splitTerm };

/** docker's index for docker.io searches. */
const HUB_INDEX = 'index.docker.io';

interface HubAnswer {
  results?: {
    name?: string;
    description?: string;
    star_count?: number;
    is_official?: boolean;
    is_automated?: boolean;
  }[];
}

export async function searchImages(
  service: RegistryService,
  term: string,
  opts: SearchOptions = {},
): Promise<SearchResult[]> {
  const limit = opts.limit ?? 25;
  if (limit < 1 || limit > 100)
    throw new BerthError('INVALID_ARGUMENT', 'limit 0 is outside the range of [1, 100]'.replace('0', String(limit)));
  const { registry, query } = splitTerm(term);
  const hostName = registry === DEFAULT_DOMAIN ? HUB_INDEX : registry;
  const host = service.hostFor(registry === DEFAULT_DOMAIN ? HUB_INDEX : registry, opts.auth);
  const { scheme, insecure } = await service.ctx.transport.scheme(hostName, opts.signal);
  const url = `${scheme}://${hostName}/v1/search?q=${encodeURIComponent(query)}&n=${limit}`;
  const res = await service.ctx.transport.send(
    { method: 'GET', url, signal: opts.signal },
    { host: hostName, insecure, protocol: `${scheme}:` },
  );
  const text = await readText(res.body, 16 << 20);
  if (res.status === 200 && (header(res, 'content-type') ?? '').includes('json')) {
    const doc = JSON.parse(text) as HubAnswer;
    return (doc.results ?? []).slice(0, limit).map((r) => ({
      name: printable(String(r.name ?? ''), 256),
      description: printable(String(r.description ?? '').replace(/\n/g, ' '), 4096),
      star_count: Number(r.star_count ?? 0),
      is_official: !!r.is_official,
      is_automated: !!r.is_automated,
    }));
  }
  if (registry === DEFAULT_DOMAIN) {
    throw new BerthError('IO', `Unexpected status code ${res.status}`);
  }
  // a distribution registry: its catalog, filtered by the term
  const repos = await host.catalog(1000, opts.signal);
  return repos
    .filter((r) => /^[a-z0-9._/-]+$/.test(r) && r.includes(query))
    .slice(0, limit)
    .map((r) => ({
      name: `${registry}/${r}`,
      description: '',
      star_count: 0,
      is_official: false,
      is_automated: false,
    }));
}

/** The tags of a repository (podman's search --list-tags). */
export async function listTags(
  service: RegistryService,
  repository: string,
  signal?: AbortSignal,
): Promise<{ name: string; tags: string[] }> {
  const ref = parseReference(repository);
  if (ref.tag || ref.digest)
    throw new BerthError('INVALID_ARGUMENT', `reference "${repository}" must not have a tag or a digest`);
  // what the registry lists is data: only names that are tags
  const tags = (await service.host(ref.domain).repository(ref.path).tags(signal)).filter((t) => isValidTag(t));
  return { name: repoName(ref), tags };
}
