/**
 * Registry authentication: anonymous, Basic, and the Bearer token flow
 * (the registry's 401 names a realm, a service and a scope; a token server
 * trades credentials, or nothing, for a token). Tokens are cached per realm,
 * service, scope and user until they expire (60 s when the server does not
 * say), as docker does.
 */
import { BerthError } from '../errors.js';
import type { Credentials } from './credentials.js';
import { parseErrors, describe, statusText } from './errors.js';

export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

/** Parse WWW-Authenticate (the first Basic or Bearer challenge). */
export function parseChallenge(value: string | undefined): Challenge | null {
  if (!value) return null;
  const m = /^\s*(\w+)\s*(.*)$/s.exec(value);
  if (!m) return null;
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return null;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2]!))) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  return { scheme, params };
}

export function basicHeader(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.username}:${c.secret}`).toString('base64');
}

interface CachedToken {
  token: string;
  expires: number;
}

export type TokenFetch = (
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: Buffer },
) => Promise<{ status: number; text: string }>;

export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A bearer token for these scopes, from the cache or the realm. */
  async token(ch: Challenge, scopes: string[], creds: Credentials | null, fetch: TokenFetch): Promise<string> {
    const realm = ch.params.realm;
    if (!realm) throw new BerthError('IO', 'the registry asked for a bearer token without naming a realm');
    const service = ch.params.service ?? '';
    const key = JSON.stringify([realm, service, [...scopes].sort(), creds?.username ?? '']);
    const hit = this.tokens.get(key);
    if (hit && hit.expires > this.now()) return hit.token;
    const got = await this.fetchToken(realm, service, scopes, creds, fetch);
    this.tokens.set(key, got);
    return got.token;
  }

  private async fetchToken(
    realm: string,
    service: string,
    scopes: string[],
    creds: Credentials | null,
    fetch: TokenFetch,
  ): Promise<CachedToken> {
    let res: { status: number; text: string };
    if (creds?.username === '<token>') {
      // an identity token from a login: OAuth2 refresh grant
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.secret,
        service,
        client_id: 'berth',
        scope: scopes.join(' '),
      });
      res = await fetch(realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form.toString()),
      });
    } else {
      const u = new URL(realm);
      if (service) u.searchParams.set('service', service);
      for (const s of scopes) u.searchParams.append('scope', s);
      if (creds) u.searchParams.set('account', creds.username);
      res = await fetch(u.toString(), { method: 'GET', headers: creds ? { authorization: basicHeader(creds) } : {} });
    }
    if (res.status !== 200) {
      const items = parseErrors(res.text);
      const msg = items.length
        ? items.map(describe).join(', ')
        : res.status === 401
          ? 'unauthorized: incorrect username or password'
          : `token server answered ${statusText(res.status)}`;
      throw new BerthError(res.status === 401 ? 'UNAUTHORIZED' : res.status === 403 ? 'PERMISSION_DENIED' : 'IO', msg);
    }
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      doc = JSON.parse(res.text) as typeof doc;
    } catch {
      throw new BerthError('IO', 'the token server did not answer with JSON');
    }
    const token =
      typeof doc.token === 'string' ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
    if (!token) throw new BerthError('IO', 'the token server answered without a token');
    const secs = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60;
    const issued = typeof doc.issued_at === 'string' ? Date.parse(doc.issued_at) : NaN;
    const start = Number.isNaN(issued) ? this.now() : Math.min(issued, this.now());
    // renew a few seconds early so a token does not run out in flight
    return { token, expires: start + Math.max(secs - 5, 1) * 1000 };
  }
}
