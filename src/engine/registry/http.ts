/**
 * HTTP to registries (undici): one connection pool per registry host with
 * its TLS settings (extra CAs and client certificates from certs.d, no
 * verification for insecure registries), HTTPS_PROXY / HTTP_PROXY /
 * NO_PROXY, plain HTTP only for insecure registries (HTTPS tried first, as
 * docker does), and retries with backoff on 5xx, 429 (Retry-After) and
 * reset connections. Errors are worded as docker words them.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { trustedCa } from '../../common/extra-ca.js';
import { BerthError } from '../errors.js';
import { isInsecure, splitHostPort, type RegistrySettings } from './settings.js';
import { hostTls } from './tls-files.js';

export type Headers = Record<string, string>;

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Headers;
  body?: Buffer | AsyncIterable<Buffer> | null;
  signal?: AbortSignal | undefined;
  /** Retry on 5xx, 429 and resets (only for requests that can be repeated: the default for GET, HEAD and Buffer bodies). */
  retry?: boolean;
  /** Follow redirects (blob downloads). */
  redirects?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  url: string;
}

export const MAX_ATTEMPTS = 4;
const MAX_WAIT_MS = 10_000;

/** Stop reading a body (a stream destroyed without a listener would report its abort as an uncaught error). */
export function discard(body: HttpResponse['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

export function header(res: { headers: HttpResponse['headers'] }, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new BerthError('CANCELLED', 'cancelled'));
      },
      { once: true },
    );
  });

/** Backoff before attempt n (1-based): 250 ms doubling, or what Retry-After says (capped). */
export function retryDelay(attempt: number, retryAfter?: string): number {
  if (retryAfter) {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, MAX_WAIT_MS);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.min(Math.max(at - Date.now(), 0), MAX_WAIT_MS);
  }
  return Math.min(250 * 2 ** (attempt - 1), MAX_WAIT_MS);
}

const TRANSIENT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

export function isTransient(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code ?? (e as { cause?: NodeJS.ErrnoException })?.cause?.code;
  return !!code && TRANSIENT.has(code);
}

const TLS_CODES = /^(ERR_SSL_|EPROTO$|ECONNRESET$|UND_ERR_SOCKET$)/;

/** The network failure in Go's words, as docker prints it: `Get "URL": dial tcp HOST:PORT: connect: connection refused`. */
export function networkError(method: string, url: string, e: unknown): BerthError {
  if (e instanceof BerthError) return e;
  const err = ((e as { cause?: unknown })?.cause ?? e) as NodeJS.ErrnoException & { address?: string; port?: number };
  const u = new URL(url);
  const hostport = u.port ? `${u.hostname}:${u.port}` : `${u.hostname}:${u.protocol === 'https:' ? 443 : 80}`;
  let what: string;
  switch (err?.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      what = `dial tcp: lookup ${u.hostname.replace(/^\[|\]$/g, '')}: no such host`;
      break;
    case 'ECONNREFUSED':
      what = `dial tcp ${hostport}: connect: connection refused`;
      break;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      what = `dial tcp ${hostport}: connect: no route to host`;
      break;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      what = `dial tcp ${hostport}: i/o timeout`;
      break;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      what = 'read: connection reset by peer';
      break;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      what = 'x509: certificate signed by unknown authority';
      break;
    case 'CERT_HAS_EXPIRED':
      what = 'x509: certificate has expired or is not yet valid';
      break;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      what = `x509: certificate is not valid for ${u.hostname}`;
      break;
    default:
      what = err?.message ?? String(e);
  }
  const verb = method[0] + method.slice(1).toLowerCase();
  return new BerthError('IO', `${verb} "${url}": ${what}`, { cause: e });
}

/**
 * The proxy for a host, as Go's ProxyFromEnvironment chooses it: HTTPS_PROXY
 * for https, HTTP_PROXY for http, none when NO_PROXY names the host (`*`,
 * a host, a domain and its subdomains, host:port, an address).
 */
export function proxyFor(hostport: string, protocol: string, env: NodeJS.ProcessEnv): string | null {
  const proxy = protocol === 'https:' ? env.HTTPS_PROXY || env.https_proxy : env.HTTP_PROXY || env.http_proxy;
  if (!proxy) return null;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(/[\s,]+/).filter(Boolean);
  const { host, port } = splitHostPort(hostport);
  for (const raw of noProxy) {
    if (raw === '*') return null;
    const { host: h, port: p } = splitHostPort(raw);
    if (p && p !== port) continue;
    const name = h.replace(/^\*?\./, '');
    if (host === name || host.endsWith(`.${name}`)) return null;
  }
  return /^[a-z]+:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

/** Where a request goes: the host, whether TLS is verified there, and the scheme (for the proxy choice). */
export interface Target {
  host: string;
  insecure: boolean;
  protocol: string;
}

type Undici = Pick<typeof import('undici'), 'Agent' | 'ProxyAgent' | 'request'>;
let undiciModule: Promise<Undici> | null = null;
/** undici loads on the first request (a pull of an image already here may need none of it). */
const loadUndici = () =>
  (undiciModule ??= import('undici').then((m) => {
    // a CommonJS module: its exports are the namespace's, or its default's once bundled
    const mod = m as unknown as Undici & { default?: Undici };
    return typeof mod.Agent === 'function' ? mod : mod.default!;
  }));

/** How long a registry's scheme (https, or plain http for an insecure one) is remembered in the runtime directory. */
export const SCHEME_TTL_MS = 24 * 3600 * 1000;

export class Transport {
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly schemes = new Map<string, Promise<{ scheme: 'https' | 'http'; insecure: boolean }>>();

  constructor(
    readonly settings: RegistrySettings,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** A directory (in the runtime directory) remembering which insecure registries speak plain HTTP. */
    private readonly cacheDir: string | null = null,
  ) {}

  /** The connection pool for a registry host: its certificates, verification unless insecure, the proxy settings. */
  async dispatcher(t: Target): Promise<Dispatcher> {
    const { Agent, ProxyAgent } = await loadUndici();
    const { host: hostport, insecure, protocol } = t;
    const proxy = proxyFor(hostport, protocol, this.env);
    const key = `${hostport}|${insecure}|${proxy ?? ''}`;
    let d = this.dispatchers.get(key);
    if (d) return d;
    const tls = this.tlsOptions(hostport, insecure);
    const opts = { connect: tls, keepAliveTimeout: 10_000, connections: 16 };
    d = proxy ? new ProxyAgent({ ...opts, uri: proxy, requestTls: tls }) : new Agent(opts);
    this.dispatchers.set(key, d);
    return d;
  }

  /** TLS options for a host: the certs.d files, verification unless insecure. */
  tlsOptions(
    hostport: string,
    insecure: boolean,
  ): { ca?: string[]; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean } {
    const files = hostTls(hostport, this.settings.certsDirs);
    const ca = trustedCa(files.ca.map(String));
    return {
      ...(ca ? { ca } : {}),
      ...(files.cert ? { cert: files.cert, key: files.key! } : {}),
      rejectUnauthorized: !insecure,
    };
  }

  /** Whether requests to this host go through a proxy. */
  proxied(hostport: string, protocol: string): boolean {
    return proxyFor(hostport, protocol, this.env) !== null;
  }

  /** The file remembering a registry's scheme (null: none is remembered). */
  schemeFile(hostport: string): string | null {
    return this.cacheDir && join(this.cacheDir, `scheme-${hostport.replace(/[^\w.:[\]-]/g, '_')}`);
  }

  private cachedScheme(hostport: string): 'http' | 'https' | null {
    const file = this.schemeFile(hostport);
    if (!file) return null;
    try {
      if (Date.now() - statSync(file).mtimeMs > SCHEME_TTL_MS) return null;
      const v = readFileSync(file, 'utf8').trim();
      return v === 'http' || v === 'https' ? v : null;
    } catch {
      return null;
    }
  }

  private rememberScheme(hostport: string, scheme: 'http' | 'https'): void {
    const file = this.schemeFile(hostport);
    if (!this.cacheDir || !file) return;
    try {
      mkdirSync(this.cacheDir, { recursive: true, mode: 0o700 });
      writeFileSync(file, scheme);
    } catch {
      /* a cache only */
    }
  }

  /** https or http for a registry: https unless it is insecure and answers only plain HTTP. */
  scheme(hostport: string, signal?: AbortSignal): Promise<{ scheme: 'https' | 'http'; insecure: boolean }> {
    let p = this.schemes.get(hostport);
    if (!p) {
      p = this.probe(hostport, signal);
      this.schemes.set(hostport, p);
      p.catch(() => this.schemes.delete(hostport));
    }
    return p;
  }

  private async probe(
    hostport: string,
    signal?: AbortSignal,
  ): Promise<{ scheme: 'https' | 'http'; insecure: boolean }> {
    const insecure = await isInsecure(hostport, this.settings);
    if (!insecure) return { scheme: 'https', insecure };
    const known = this.cachedScheme(hostport);
    if (known) return { scheme: known, insecure };
    const { request } = await loadUndici();
    try {
      const res = await request(`https://${hostport}/v2/`, {
        method: 'GET',
        dispatcher: await this.dispatcher({ host: hostport, insecure: true, protocol: 'https:' }),
        ...(signal ? { signal } : {}),
        headersTimeout: 15_000,
      });
      await res.body.dump();
      this.rememberScheme(hostport, 'https');
      return { scheme: 'https', insecure };
    } catch (e) {
      const code = ((e as { cause?: NodeJS.ErrnoException })?.cause ?? (e as NodeJS.ErrnoException))?.code ?? '';
      if (TLS_CODES.test(code)) {
        this.rememberScheme(hostport, 'http');
        return { scheme: 'http', insecure };
      }
      if (code === 'ECONNREFUSED') return { scheme: 'http', insecure };
      throw networkError('GET', `https://${hostport}/v2/`, e);
    }
  }

  /** One request, retried on 5xx, 429 and resets when it can be repeated. */
  async send(req: HttpRequest, target: Target): Promise<HttpResponse> {
    const { request } = await loadUndici();
    const dispatcher = await this.dispatcher(target);
    const repeatable =
      req.retry ?? (req.method === 'GET' || req.method === 'HEAD' || !req.body || Buffer.isBuffer(req.body));
    for (let attempt = 1; ; attempt++) {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(req.url, {
          method: req.method,
          headers: req.headers ?? {},
          body: req.body ?? null,
          dispatcher,
          ...(req.signal ? { signal: req.signal } : {}),
          ...(req.redirects ? { maxRedirections: req.redirects } : {}),
          headersTimeout: 60_000,
          bodyTimeout: 60_000,
        } as never);
      } catch (e) {
        if (req.signal?.aborted) throw new BerthError('CANCELLED', 'cancelled', { cause: e });
        if (repeatable && attempt < MAX_ATTEMPTS && isTransient(e)) {
          await sleep(retryDelay(attempt), req.signal);
          continue;
        }
        throw networkError(req.method, req.url, e);
      }
      const s = res.statusCode;
      if (repeatable && attempt < MAX_ATTEMPTS && (s === 429 || s === 500 || s === 502 || s === 503 || s === 504)) {
        await res.body.dump().catch(() => undefined);
        await sleep(retryDelay(attempt, header(res, 'retry-after')), req.signal);
        continue;
      }
      return { status: s, headers: res.headers, body: res.body, url: req.url };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.dispatchers.values()].map((d) => d.close().catch(() => undefined)));
    this.dispatchers.clear();
  }
}
