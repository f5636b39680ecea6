/**
 * A small bearer-token server for distribution's `auth: token` (the flow
 * Docker Hub uses): GET REALM?service=S&scope=repository:NAME:pull,push with
 * optional Basic credentials (and the OAuth2 POST form docker uses with
 * identity tokens), answering a JWT signed with RS256 by a key whose
 * certificate is the registry's `rootcertbundle`. The JWT header names the key
 * by its libtrust key ID (`kid`) or carries the certificate (`x5c`); the
 * claims are issuer, subject, audience (the service) and the access granted
 * from each requested scope. Every request is counted and recorded, so tests
 * can check that a client caches its tokens.
 */
import { X509Certificate, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { libtrustKeyId } from './registry-certs.js';

export interface Access {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenRequestRecord {
  method: string;
  /** The user whose Basic credentials (or password grant) came, null when anonymous. */
  user: string | null;
  service: string | null;
  scopes: string[];
  /** What the token grants (empty when refused or anonymous without anonymous pull). */
  granted: Access[];
  status: number;
}

export interface TokenServerOptions {
  issuer: string;
  service: string;
  /** Files: the signing key and its certificate (the registry's rootcertbundle). */
  signingKey: string;
  signingCert: string;
  /** Serve HTTPS with this certificate and key (files); plain HTTP when unset. */
  tls?: { cert: string; key: string };
  /** user -> password; a request with other credentials gets 401. */
  users: Record<string, string>;
  /** Anonymous requests get pull access (as Docker Hub gives for public images). Default false: no access. */
  anonymousPull?: boolean;
  /** expires_in of each token, seconds (default 300). */
  ttlSeconds?: number;
  /** How the JWT header names its key: libtrust `kid` (default) or the `x5c` chain. */
  keyHeader?: 'kid' | 'x5c';
}

export interface TokenServer {
  url: string;
  /** Token requests answered so far (any status). */
  readonly requests: number;
  readonly log: TokenRequestRecord[];
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Parse `type:name:actions` (the name may itself hold ':' only in theory; actions follow the last one). */
export function parseScope(scope: string): Access | null {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return null;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

export async function startTokenServer(o: TokenServerOptions): Promise<TokenServer> {
  const key = createPrivateKey(readFileSync(o.signingKey, 'utf8'));
  const certPem = readFileSync(o.signingCert, 'utf8');
  const header =
    o.keyHeader === 'x5c'
      ? { typ: 'JWT', alg: 'RS256', x5c: [new X509Certificate(certPem).raw.toString('base64')] }
      : { typ: 'JWT', alg: 'RS256', kid: libtrustKeyId(certPem) };
  const ttl = o.ttlSeconds ?? 300;
  const log: TokenRequestRecord[] = [];
  const refreshTokens = new Map<string, string>(); // refresh token -> user

  const mint = (user: string | null, access: Access[]) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: o.issuer,
      sub: user ?? '',
      aud: o.service,
      exp: now + ttl,
      nbf: now - 1,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const raw = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    return `${raw}.${b64url(sign('sha256', Buffer.from(raw), key))}`;
  };

  const grant = (user: string | null, scopes: string[]): Access[] => {
    const out: Access[] = [];
    for (const s of scopes) {
      const a = parseScope(s);
      if (!a) continue;
      if (user) out.push(a);
      else if (o.anonymousPull && a.type === 'repository' && a.actions.includes('pull'))
        out.push({ ...a, actions: ['pull'] });
    }
    return out;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://token');
    let params = url.searchParams;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    }
    const scopes = params.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
    const record: TokenRequestRecord = {
      method: req.method ?? 'GET',
      user: null,
      service: params.get('service'),
      scopes,
      granted: [],
      status: 200,
    };
    log.push(record);
    const reply = (status: number, body: object) => {
      record.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/token') return reply(404, { details: 'not found' });

    let user: string | null = null;
    let password: string | null = null;
    const auth = req.headers.authorization;
    if (auth?.toLowerCase().startsWith('basic ')) {
      const dec = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const i = dec.indexOf(':');
      [user, password] = [dec.slice(0, i), dec.slice(i + 1)];
    } else if (req.method === 'POST' && params.get('grant_type') === 'password') {
      [user, password] = [params.get('username'), params.get('password')];
    } else if (req.method === 'POST' && params.get('grant_type') === 'refresh_token') {
      user = refreshTokens.get(params.get('refresh_token') ?? '') ?? null;
      if (!user) return reply(401, { details: 'invalid refresh token' });
      password = o.users[user]!;
    }
    if (user !== null && o.users[user] !== password) {
      record.user = user;
      return reply(401, { details: 'incorrect username or password' });
    }
    record.user = user;
    record.granted = grant(user, scopes);
    const token = mint(user, record.granted);
    const body: Record<string, unknown> = {
      token,
      access_token: token,
      expires_in: ttl,
      issued_at: new Date().toISOString(),
    };
    if (user && params.get('access_type') === 'offline') {
      const rt = randomUUID();
      refreshTokens.set(rt, user);
      body.refresh_token = rt;
    }
    reply(200, body);
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((e: Error) => {
      res.writeHead(500);
      res.end(String(e.message));
    });
  };
  const server = o.tls
    ? https.createServer({ cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) }, listener)
    : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}/token`,
    get requests() {
      return log.length;
    },
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
