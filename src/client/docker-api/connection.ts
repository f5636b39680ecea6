/**
 * HTTP to a Docker Engine API (dockerd, podman's service, berth's own) over
 * a unix socket, TCP (with TLS) or ssh (ssh-dialer.ts), through one undici
 * Client. The API version is negotiated as the docker CLI does: /_ping's
 * API-Version header, lowered to it when the engine is older than this
 * client, 1.24 when it says nothing. Errors become BerthErrors: the
 * engine's answer by status (404 NOT_FOUND, 409 CONFLICT, ...) with its
 * message; a link that cannot be made or drops, UNAVAILABLE in one line.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { trustedCa } from '../../common/extra-ca.js';
import { BerthError, isBerthError, type ErrorCode } from '../errors.js';
import type { Endpoint } from './endpoint.js';
import { SshDialer } from './ssh-dialer.js';

/** The newest API this client speaks (docker 24's); older engines get their own. */
export const CLIENT_API_VERSION = '1.43';
/** What the docker CLI assumes of an engine whose ping names no version. */
const FALLBACK_API_VERSION = '1.24';

export interface ConnectionOptions {
  /** How long making the link and the first ping may take, ms (10 s). */
  connectTimeoutMs?: number;
  /** How long a request that is not a stream may wait for its answer, or between two pieces of it, ms (120 s). */
  requestTimeoutMs?: number;
}

export const versionLess = (a: string, b: string): boolean => {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 < b1 || (a1 === b1 && a2 < b2);
};

/** The version to use with an engine that said `server` (the docker CLI's NegotiateAPIVersionPing). */
export function negotiate(server: string | undefined): string {
  const v = server || FALLBACK_API_VERSION;
  return versionLess(v, CLIENT_API_VERSION) ? v : CLIENT_API_VERSION;
}

export type Query = Record<string, string | number | boolean | string[] | undefined>;

export function queryString(q: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, x);
    else p.append(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** docker's filters query value from the CLI's split filters. */
export const filtersJson = (f?: Map<string, string[]>): string | undefined =>
  f && f.size
    ? JSON.stringify(Object.fromEntries([...f].map(([k, vs]) => [k, Object.fromEntries(vs.map((v) => [v, true]))])))
    : undefined;

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHORIZED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  501: 'NOT_SUPPORTED',
};

export interface RequestOptions {
  query?: Query;
  /** JSON (an object) or a stream sent as it is. */
  body?: object | Readable;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** The answer streams for as long as the engine likes (logs -f, events, stats, a wait): no timeout. */
  stream?: boolean;
  /** A request that may take long (a commit, a stop with its grace time), ms; else the connection's. */
  timeoutMs?: number;
}

export class Connection {
  private client: Dispatcher | null = null;
  private dialer: SshDialer | null = null;
  private opening: Promise<void> | null = null;
  version = '';
  /** /version's answer. */
  engine: { Version?: string; ApiVersion?: string; Os?: string; Arch?: string; Components?: { Name: string }[] } = {};

  /** The engine has answered a request on this connection. */
  private reached = false;
  /** The check of a kept link's remembered version, while it runs. */
  private checking: Promise<void> | null = null;
  private readonly connectMs: number;
  private readonly requestMs: number;

  constructor(
    readonly endpoint: Endpoint,
    o: ConnectionOptions = {},
  ) {
    this.connectMs = o.connectTimeoutMs ?? 10_000;
    this.requestMs = o.requestTimeoutMs ?? 120_000;
  }

  /** Connect, ping and learn the engine's version (once; again after close). */
  open(): Promise<void> {
    this.opening ??= this.doOpen().catch((e: unknown) => {
      this.opening = null;
      throw e;
    });
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    const ep = this.endpoint;
    // over ssh the dialer's setup (it asks `ssh -G` about the host) runs while undici loads
    const dialing = ep.kind === 'ssh' ? (this.dialer = new SshDialer(ep)).listen() : null;
    dialing?.catch(() => undefined); // awaited below
    // a CommonJS module: its exports are the namespace's, or its default's once bundled
    const m = (await import('undici')) as unknown as typeof import('undici') & { default?: typeof import('undici') };
    // a pool: each follow (logs, events, stats) holds a connection of its own for as long as it runs
    const { Pool } = typeof m.Pool === 'function' ? m : m.default!;
    // no timeouts on the pool: each request sets its own (none for streams); over ssh an idle connection
    // is kept a minute (a channel each, and an ssh process when not forwarded): the idle lists' stats rounds come back to it
    const opts = {
      keepAliveTimeout: ep.kind === 'ssh' ? 60_000 : 4_000,
      connectTimeout: this.connectMs,
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    if (ep.kind === 'unix') this.client = new Pool('http://localhost', { ...opts, socketPath: ep.path });
    else if (ep.kind === 'ssh') {
      const path = await dialing!;
      this.client = new Pool('http://localhost', { ...opts, socketPath: path });
    } else if (ep.tls) {
      const t = ep.tls;
      // --tlscacert alone, as docker; else Node's roots and a deferred NODE_EXTRA_CA_CERTS (extra-ca.ts)
      const ca = t.ca ?? trustedCa();
      this.client = new Pool(`https://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`, {
        ...opts,
        connect: {
          ...(ca ? { ca } : {}),
          ...(t.cert ? { cert: t.cert } : {}),
          ...(t.key ? { key: t.key } : {}),
          rejectUnauthorized: t.verify,
        },
      });
    } else this.client = new Pool(`http://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`, opts);
    // a link an earlier berth kept (ssh-master.ts) leads to the engine it spoke to: its API version and
    // /version answer are taken as they were, the first requests go at once, and the ping checks them
    // meanwhile (a request an engine refuses as too new is sent again once it has answered)
    const known = this.dialer?.recall();
    if (known) {
      this.version = known.version;
      this.engine = known.engine as typeof this.engine;
      // the check is a ping (the kept link carries few of a session's connections); /version again when
      // the engine's version is not the one remembered
      this.checking = this.check(known.version).catch(() => undefined);
      return;
    }
    await this.negotiate();
  }

  private async check(remembered: string): Promise<void> {
    const ping = await this.raw('GET', '/_ping', { timeoutMs: this.connectMs }, true);
    const header = ping.headers['api-version'];
    await ping.body.dump();
    if (negotiate(Array.isArray(header) ? header[0] : header) !== remembered) await this.negotiate();
  }

  /** The ping (the API version) and /version (any version answers it) at once: one round trip. */
  private async negotiate(): Promise<void> {
    // an engine that takes the connection and never answers cannot be reached either
    const [ping, version] = await Promise.all([
      this.raw('GET', '/_ping', { timeoutMs: this.connectMs }, true),
      this.raw('GET', '/version', { timeoutMs: this.connectMs }, true),
    ]);
    const header = ping.headers['api-version'];
    await ping.body.dump();
    this.engine = version.statusCode === 200 ? ((await version.body.json()) as typeof this.engine) : {};
    if (version.statusCode !== 200) await version.body.dump();
    this.version = negotiate(Array.isArray(header) ? header[0] : header);
    this.dialer?.remember({ version: this.version, engine: this.engine });
  }

  /** The link failed: a dialer's ssh said why on stderr. */
  private unavailable(e: unknown, during: boolean): BerthError {
    const why = this.dialer?.lastError() || (e as Error).message;
    const msg = during
      ? `lost the connection to the engine at ${this.endpoint.url}: ${why}`
      : this.endpoint.kind === 'unix'
        ? `Cannot connect to the Docker daemon at ${this.endpoint.url}. Is the docker daemon running?`
        : `Cannot connect to the engine at ${this.endpoint.url}: ${why}`;
    return new BerthError('UNAVAILABLE', msg, { cause: e });
  }

  /** A connection error of the link itself (not the engine's answer, not our abort). */
  linkError(e: unknown, during = true, timeoutMs = 0): unknown {
    if (isBerthError(e)) return e;
    const name = (e as Error)?.name;
    if (name === 'AbortError') return new BerthError('CANCELLED', 'cancelled', { cause: e });
    const code = (e as NodeJS.ErrnoException)?.code ?? '';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      const s = Math.round(timeoutMs / 1000);
      return this.unavailable(new Error(`no answer ${s ? `within ${s}s` : 'in time'}`), during);
    }
    const connect = ['ECONNREFUSED', 'ENOENT', 'EACCES', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENOTFOUND'];
    return this.unavailable(e, during && !connect.includes(code));
  }

  private async raw(
    method: string,
    path: string,
    o: RequestOptions = {},
    unversioned = false,
  ): Promise<Dispatcher.ResponseData> {
    if (!this.client) throw new BerthError('UNAVAILABLE', `not connected to ${this.endpoint.url}`);
    const isStream = !!o.body && typeof (o.body as Readable).pipe === 'function';
    const body = o.body === undefined ? undefined : isStream ? (o.body as Readable) : JSON.stringify(o.body);
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (body !== undefined && !isStream) headers['content-type'] = 'application/json';
    if (isStream) headers['content-type'] ??= 'application/x-tar';
    // the ping and /version, sent before the version is known, go without one
    const prefix = path === '/_ping' || unversioned || !this.version ? '' : `/v${this.version}`;
    // nothing that is not a stream waits forever on a host that took the request and went silent
    const timeout = o.stream ? 0 : (o.timeoutMs ?? this.requestMs);
    try {
      const r = await this.client.request({
        method: method as Dispatcher.HttpMethod,
        path: prefix + path + queryString(o.query),
        headers,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(body !== undefined ? { body } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      this.reached = true;
      return r;
    } catch (e) {
      // a link that was up (the engine answered) and broke is lost; one that never came up cannot be made
      // (a kept link's remembered version is no sign the engine is there)
      throw this.linkError(e, this.reached, timeout);
    }
  }

  /** A request whose answer must be 2xx (or 304): the engine's error message otherwise. */
  async request(method: string, path: string, o: RequestOptions = {}): Promise<Dispatcher.ResponseData> {
    await this.open();
    // the version this request goes with: the check may replace it before the engine's answer comes
    const sentWith = this.version;
    let r = await this.raw(method, path, o);
    const resendable = !o.body || typeof (o.body as Readable).pipe !== 'function';
    if (r.statusCode === 400 && this.checking && resendable) {
      // a remembered version the engine no longer speaks: once the ping has answered, with its version
      await this.checking;
      if (this.version !== sentWith) {
        await r.body.dump().catch(() => undefined);
        r = await this.raw(method, path, o);
      }
    }
    if (r.statusCode < 300 || r.statusCode === 304) return r;
    let message = '';
    try {
      const text = await r.body.text();
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        message = text;
      }
    } catch {
      // the body is lost with the link: the status says enough
    }
    throw new BerthError(
      STATUS_CODES[r.statusCode] ?? 'RUNTIME',
      message.trim() || `the engine answered ${r.statusCode}`,
    );
  }

  async json(method: string, path: string, o: RequestOptions = {}): Promise<unknown> {
    const r = await this.request(method, path, o);
    if (r.statusCode === 204 || r.statusCode === 304) {
      await r.body.dump();
      return null;
    }
    try {
      const text = await r.body.text();
      return text ? (JSON.parse(text) as unknown) : null;
    } catch (e) {
      throw this.linkError(e);
    }
  }

  /** A request whose answer is read and dropped (start, stop, tag, ...); returns the status. */
  async call(method: string, path: string, o: RequestOptions = {}): Promise<number> {
    const r = await this.request(method, path, o);
    try {
      await r.body.dump();
    } catch (e) {
      throw this.linkError(e);
    }
    return r.statusCode;
  }

  /** The body of a streaming answer, chunk by chunk; a dropped link throws UNAVAILABLE. */
  async *chunks(method: string, path: string, o: RequestOptions = {}): AsyncGenerator<Buffer> {
    let r: Dispatcher.ResponseData;
    try {
      r = await this.request(method, path, { ...o, stream: true });
    } catch (e) {
      if (o.signal?.aborted) return;
      throw e;
    }
    try {
      for await (const c of r.body) yield c as Buffer;
    } catch (e) {
      if (o.signal?.aborted) return;
      throw this.linkError(e);
    } finally {
      r.body.destroy();
    }
  }

  /** A JSON-lines answer (events, stats, progress), one object per line; `fix` may edit a line before it is parsed. */
  async *jsonLines(
    method: string,
    path: string,
    o: RequestOptions = {},
    fix: (line: string) => string = (l) => l,
  ): AsyncGenerator<unknown> {
    const decoder = new TextDecoder();
    let rest = '';
    const parse = (line: string): unknown => {
      try {
        return JSON.parse(fix(line)) as unknown;
      } catch {
        throw new BerthError('RUNTIME', `the engine sent a line that is not JSON: ${line.slice(0, 80)}`);
      }
    };
    for await (const c of this.chunks(method, path, o)) {
      rest += decoder.decode(c, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl).trim();
        rest = rest.slice(nl + 1);
        if (line) yield parse(line);
      }
    }
    if (rest.trim()) yield parse(rest.trim());
  }

  /**
   * A hijacked connection (exec start, attach): the request is upgraded to a
   * raw stream in both directions (docker's "Upgrade: tcp").
   */
  async hijack(path: string, o: { query?: Query; body?: object } = {}): Promise<import('node:stream').Duplex> {
    await this.open();
    if (!this.client) throw new BerthError('UNAVAILABLE', `not connected to ${this.endpoint.url}`);
    try {
      const r = await this.client.upgrade({
        method: 'POST',
        path: `/v${this.version}${path}${queryString(o.query)}`,
        protocol: 'tcp',
        headers: { ...(o.body ? { 'content-type': 'application/json' } : {}) },
        ...(o.body ? { body: JSON.stringify(o.body) } : {}),
      } as Dispatcher.UpgradeOptions);
      return r.socket;
    } catch (e) {
      throw this.linkError(e, false);
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.opening = null;
    this.checking = null;
    await c?.destroy().catch(() => undefined);
    await this.dialer?.close();
    this.dialer = null;
  }
}
