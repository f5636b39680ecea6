/**
 * What registry requests carry, as dockerd reads it: the X-Registry-Auth
 * header (base64url JSON of docker's AuthConfig), the reference a pull names
 * from fromImage and tag, and search's filters. Pure.
 */
import type { RegistryCredentials } from '../client/api.js';
import { badRequest, notImplemented } from './errors.js';

/**
 * The credentials an X-Registry-Auth header carries: null when it carries
 * none (no header, `{}`, an empty user), which means none at all: dockerd
 * never uses credentials saved on its host for an API client.
 */
export function decodeRegistryAuth(header: string | string[] | undefined): RegistryCredentials | null {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw || !raw.trim()) return null;
  let doc: unknown;
  try {
    // Node's base64 reads both the URL-safe and the standard alphabet, padded or not
    doc = JSON.parse(Buffer.from(raw.trim(), 'base64').toString('utf8'));
  } catch {
    throw badRequest('invalid X-Registry-Auth header: not base64-encoded JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw badRequest('invalid X-Registry-Auth header: expected a JSON object');
  return credentialsOf(doc as Record<string, unknown>, 'X-Registry-Auth');
}

/** docker's AuthConfig fields (username and password, or auth as base64 "user:password") as credentials. */
export function credentialsOf(a: Record<string, unknown>, where: string): RegistryCredentials | null {
  const str = (k: string) => {
    const v = a[k];
    if (v !== undefined && v !== null && typeof v !== 'string') throw badRequest(`${where}: ${k} must be a string`);
    return (v as string | undefined) ?? '';
  };
  let username = str('username');
  let password = str('password');
  const auth = str('auth');
  if (!username && auth) {
    const plain = Buffer.from(auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon < 0) throw badRequest(`${where}: auth is not base64 of user:password`);
    username = plain.slice(0, colon);
    password = plain.slice(colon + 1);
  }
  if (!username) {
    if (str('identitytoken') || str('registrytoken'))
      throw notImplemented('berth does not use registry identity or bearer tokens (identitytoken, registrytoken)');
    return null;
  }
  return { username, password };
}

/**
 * The reference a pull names (POST /images/create?fromImage=&tag=): tag
 * replaces a tag or digest in fromImage, a tag that parses as a digest
 * makes a digest reference; no tag and none in fromImage pulls every tag,
 * as dockerd does (the docker CLI always sends one, unless `pull -a`).
 */
export function pullReference(fromImage: string, tag: string): { ref: string; allTags: boolean } {
  let name = fromImage;
  const at = name.indexOf('@');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const hasTag = at < 0 && colon > slash;
  if (!tag) return { ref: name, allTags: at < 0 && !hasTag };
  if (at >= 0) name = name.slice(0, at);
  else if (hasTag) name = name.slice(0, colon);
  return {
    ref: /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/.test(tag) ? `${name}@${tag}` : `${name}:${tag}`,
    allTags: false,
  };
}

export interface SearchFilters {
  stars: number;
  official: boolean | null;
  automated: boolean | null;
}

/** search's filters (is-official, is-automated, stars), checked as dockerd checks them. */
export function searchFilters(filters: Map<string, string[]>): SearchFilters {
  const out: SearchFilters = { stars: 0, official: null, automated: null };
  const bool = (key: string, vals: string[]): boolean => {
    const v = vals[vals.length - 1]!;
    if (!['true', 'false', '1', '0'].includes(v.toLowerCase())) throw badRequest(`invalid filter '${key}=${v}'`);
    return ['true', '1'].includes(v.toLowerCase());
  };
  for (const [key, vals] of filters) {
    if (!vals.length) continue;
    if (key === 'is-official') out.official = bool(key, vals);
    else if (key === 'is-automated') out.automated = bool(key, vals);
    else if (key === 'stars') {
      for (const v of vals) {
        if (!/^\d+$/.test(v)) throw badRequest(`invalid filter 'stars=${v}'`);
        out.stars = Math.max(out.stars, Number(v));
      }
    } else throw badRequest(`invalid filter '${key}'`);
  }
  return out;
}
