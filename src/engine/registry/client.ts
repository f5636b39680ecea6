/**
 * A registry host and its repositories over the distribution API v2:
 * requests carry the right authorization (learned from the first 401 and
 * kept: Basic, or a bearer token per scope), manifests are size-capped and
 * checked against the digest they were asked by, blobs come as streams.
 */
import { createHash } from 'node:crypto';
import { BerthError } from '../errors.js';
import { DEFAULT_DOMAIN } from '../reference/reference.js';
import { basicHeader, parseChallenge, type Challenge, type TokenCache } from './auth.js';
import type { CredentialStore, Credentials } from './credentials.js';
import { responseError, statusText } from './errors.js';
import { discard, header, type HttpRequest, type HttpResponse, type Transport } from './http.js';
import { MAX_MANIFEST, manifestTooLarge } from './manifest.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { isInsecure } from './settings.js';

export interface RegistryContext {
  transport: Transport;
  credentials: CredentialStore;
  tokens: TokenCache;
}

/** The API host of a reference's registry: Docker Hub's is registry-1.docker.io. */
export function apiHost(domain: string): string {
  return domain === DEFAULT_DOMAIN ? 'registry-1.docker.io' : domain;
}

export async function readText(body: HttpResponse['body'], limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      discard(body);
      break;
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type SendOptions = Omit<HttpRequest, 'url'> & { path: string; scopes: string[] };

export class RegistryHost {
  private challenge: Challenge | null = null;
  private credsLoaded = false;
  private creds: Credentials | null = null;

  constructor(
    readonly ctx: RegistryContext,
    /** The registry as references name it (docker.io, localhost:5000). */
    readonly name: string,
    /** Where its API answers (registry-1.docker.io for docker.io; a mirror's host). */
    readonly host: string = apiHost(name),
    opts: { credentials?: Credentials | null; base?: string } = {},
  ) {
    if (opts.credentials !== undefined) {
      this.creds = opts.credentials;
      this.credsLoaded = true;
    }
    this.fixedBase = opts.base ?? null;
  }

  private readonly fixedBase: string | null;

  async base(signal?: AbortSignal): Promise<string> {
    if (this.fixedBase) return this.fixedBase;
    const { scheme } = await this.ctx.transport.scheme(this.host, signal);
    return `${scheme}://${this.host}`;
  }

  private async insecure(signal?: AbortSignal): Promise<boolean> {
    if (this.fixedBase) return isInsecure(new URL(this.fixedBase).host, this.ctx.transport.settings);
    return (await this.ctx.transport.scheme(this.host, signal)).insecure;
  }

  async credentials(): Promise<Credentials | null> {
    if (!this.credsLoaded) {
      this.creds = await this.ctx.credentials.get(this.name);
      this.credsLoaded = true;
    }
    return this.creds;
  }

  private async authorization(scopes: string[], signal?: AbortSignal): Promise<string | null> {
    const ch = this.challenge;
    if (!ch) return null;
    const creds = await this.credentials();
    if (ch.scheme === 'basic') return creds ? basicHeader(creds) : null;
    const token = await this.ctx.tokens.token(ch, scopes, creds, async (url, init) => {
      const u = new URL(url);
      const realmHost = u.host;
      const insecure =
        realmHost === this.host
          ? await this.insecure(signal)
          : await isInsecure(realmHost, this.ctx.transport.settings);
      const res = await this.ctx.transport.send(
        { method: init.method, url, headers: init.headers, body: init.body ?? null, signal, retry: true },
        { host: realmHost, insecure, protocol: u.protocol },
      );
      return { status: res.status, text: await readText(res.body) };
    });
    return `Bearer ${token}`;
  }

  /** A request with authorization; a 401 that brings a (new) challenge is answered once. */
  async send(opts: SendOptions): Promise<HttpResponse> {
    const base = await this.base(opts.signal);
    const url = /^https?:\/\//.test(opts.path) ? opts.path : base + opts.path;
    const u = new URL(url);
    const target = { host: u.host, insecure: await this.insecure(opts.signal), protocol: u.protocol };
    for (let round = 0; ; round++) {
      const auth = await this.authorization(opts.scopes, opts.signal);
      const headers = { ...(opts.headers ?? {}), ...(auth ? { authorization: auth } : {}) };
      const res = await this.ctx.transport.send({ ...opts, url, headers }, target);
      if (res.status !== 401 || round > 0) return res;
      const ch = parseChallenge(header(res, 'www-authenticate'));
      const same = ch && this.challenge && JSON.stringify(ch) === JSON.stringify(this.challenge);
      if (ch?.scheme === 'basic' && !(await this.credentials()) && opts.path !== '/v2/') {
        await res.body.dump().catch(() => undefined);
        const verb = opts.method[0] + opts.method.slice(1).toLowerCase();
        throw new BerthError('UNAUTHORIZED', `${verb} "${url}": no basic auth credentials`);
      }
      if (!ch || same || (ch.scheme === 'basic' && !(await this.credentials()))) return res;
      const repeatable = !opts.body || Buffer.isBuffer(opts.body);
      if (!repeatable) {
        this.challenge = ch;
        return res;
      }
      await res.body.dump().catch(() => undefined);
      this.challenge = ch;
    }
  }

  /** Fail with the registry's words unless the status is one of `ok`. */
  async expect(res: HttpResponse, ok: number[], what?: Parameters<typeof responseError>[2]): Promise<void> {
    if (ok.includes(res.status)) return;
    const text = res.status === 401 || res.status >= 400 ? await readText(res.body).catch(() => '') : '';
    throw responseError(res.status, text, what);
  }

  /** The authentication the registry asked for (null before its first 401). */
  get scheme(): 'basic' | 'bearer' | null {
    return this.challenge?.scheme ?? null;
  }

  /** GET /v2/: checks that the registry answers and that the credentials are good (login). */
  async ping(signal?: AbortSignal): Promise<void> {
    const res = await this.send({ method: 'GET', path: '/v2/', scopes: [], signal });
    const body = await readText(res.body).catch(() => '');
    if (res.status === 200) return;
    const base = await this.base(signal);
    if (res.status === 401 && this.challenge?.scheme === 'basic') {
      throw new BerthError('UNAUTHORIZED', `login attempt to ${base}/v2/ failed with status: ${statusText(401)}`);
    }
    throw new BerthError(
      res.status === 401 ? 'UNAUTHORIZED' : 'IO',
      `Get "${base}/v2/": ${responseError(res.status, body).message}`,
    );
  }

  /** Repository names from /v2/_catalog (distribution's registry; Docker Hub has none). */
  async catalog(limit: number, signal?: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    let path: string | null = `/v2/_catalog?n=${Math.min(limit, 1000)}`;
    for (let page = 0; path && page < 100 && out.length < limit; page++) {
      const res: HttpResponse = await this.send({ method: 'GET', path, scopes: ['registry:catalog:*'], signal });
      await this.expect(res, [200]);
      const doc = JSON.parse(await readText(res.body, 16 << 20)) as { repositories?: string[] };
      out.push(...(doc.repositories ?? []));
      path = nextLink(header(res, 'link'));
    }
    return out.slice(0, limit);
  }

  repository(path: string, actions: string[] = ['pull']): Repository {
    return new Repository(this, path, actions);
  }
}

/** The next page from an RFC 5988 Link header (`</v2/_catalog?last=x&n=100>; rel="next"`). */
function nextLink(link: string | undefined): string | null {
  const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  return m ? m[1]! : null;
}

export interface FetchedManifest {
  bytes: Buffer;
  contentType: string;
  digest: string;
}

/** What docker says when a token does not grant the pull (no such repository, or no access to it). */
function accessDenied(repo: string): BerthError {
  return new BerthError(
    'UNAUTHORIZED',
    `pull access denied for ${repo}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
  );
}

const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

export class Repository {
  constructor(
    readonly host: RegistryHost,
    readonly path: string,
    private readonly actions: string[],
  ) {}

  get scope(): string {
    return `repository:${this.path}:${this.actions.join(',')}`;
  }

  private send(opts: Omit<SendOptions, 'scopes'> & { scopes?: string[] }): Promise<HttpResponse> {
    return this.host.send({ ...opts, scopes: opts.scopes ?? [this.scope] });
  }

  /**
   * HEAD a manifest: its digest, type and size, or null when the registry
   * does not say the digest (then GET it).
   */
  async headManifest(
    reference: string,
    names: { ref: string; repo: string },
    signal?: AbortSignal,
  ): Promise<{ digest: string; contentType: string; size: number } | null> {
    const res = await this.send({
      method: 'HEAD',
      path: `/v2/${this.path}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      signal,
    });
    await res.body.dump().catch(() => undefined);
    if (res.status !== 200) {
      if (res.status === 404) throw responseError(404, '', { kind: 'manifest', ...names });
      if (res.status === 401 && this.host.scheme === 'bearer') throw accessDenied(names.repo);
      return null;
    }
    const digest = header(res, 'docker-content-digest');
    if (!digest || !/^sha256:[a-f0-9]{64}$/.test(digest)) return null;
    return {
      digest,
      contentType: header(res, 'content-type') ?? '',
      size: Number(header(res, 'content-length') ?? -1),
    };
  }

  async getManifest(
    reference: string,
    names: { ref: string; repo: string },
    signal?: AbortSignal,
  ): Promise<FetchedManifest> {
    const res = await this.send({
      method: 'GET',
      path: `/v2/${this.path}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      signal,
    });
    if (res.status === 401 && this.host.scheme === 'bearer') {
      await res.body.dump().catch(() => undefined);
      throw accessDenied(names.repo);
    }
    await this.host.expect(res, [200], { kind: 'manifest', ...names });
    const length = Number(header(res, 'content-length') ?? 0);
    if (length > MAX_MANIFEST) {
      discard(res.body);
      throw manifestTooLarge(names.ref, length);
    }
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of res.body as AsyncIterable<Buffer>) {
      n += c.length;
      if (n > MAX_MANIFEST) {
        discard(res.body);
        throw manifestTooLarge(names.ref, n);
      }
      chunks.push(c);
    }
    const bytes = Buffer.concat(chunks);
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new BerthError('DIGEST_MISMATCH', `manifest verification failed for digest ${reference}`);
    }
    return { bytes, contentType: header(res, 'content-type') ?? '', digest };
  }

  /** GET a blob from byte `start` on (a Range request), following redirects to storage. */
  async getBlob(digest: string, start: number, signal?: AbortSignal, url?: string): Promise<HttpResponse> {
    const res = await this.send({
      method: 'GET',
      path: url ?? `/v2/${this.path}/blobs/${digest}`,
      headers: start > 0 ? { range: `bytes=${start}-` } : {},
      signal,
      redirects: 5,
    });
    if (res.status === 200 || (res.status === 206 && start > 0)) return res;
    await this.host.expect(res, [200], { kind: 'blob' });
    return res;
  }

  /** HEAD a blob: its size when the repository has it, else null. */
  async headBlob(digest: string, signal?: AbortSignal): Promise<number | null> {
    const res = await this.send({ method: 'HEAD', path: `/v2/${this.path}/blobs/${digest}`, signal, redirects: 5 });
    await res.body.dump().catch(() => undefined);
    if (res.status === 404) return null;
    await this.host.expect(res, [200]);
    return Number(header(res, 'content-length') ?? 0);
  }

  /** Start an upload, or mount the blob from another repository of this registry (true when mounted). */
  async startUpload(
    mount: { digest: string; from: string } | null,
    signal?: AbortSignal,
  ): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const q = mount ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}` : '';
    const scopes = mount ? [this.scope, `repository:${mount.from}:pull`] : [this.scope];
    const res = await this.send({
      method: 'POST',
      path: `/v2/${this.path}/blobs/uploads/${q}`,
      signal,
      scopes,
      body: Buffer.alloc(0),
    });
    await res.body.dump().catch(() => undefined);
    if (res.status === 201 && mount) return { mounted: true };
    await this.host.expect(res, [202, 201]);
    return { mounted: false, location: await this.location(res, signal) };
  }

  private async location(res: HttpResponse, signal?: AbortSignal): Promise<string> {
    const loc = header(res, 'location');
    if (!loc) throw new BerthError('IO', 'the registry started an upload without a Location');
    return new URL(loc, await this.host.base(signal)).toString();
  }

  /** Send a piece of an upload (PATCH); returns the next location. */
  async patchUpload(
    location: string,
    body: AsyncIterable<Buffer> | Buffer,
    range: string | null,
    signal?: AbortSignal,
  ): Promise<string> {
    const res = await this.send({
      method: 'PATCH',
      path: location,
      headers: { 'content-type': 'application/octet-stream', ...(range ? { 'content-range': range } : {}) },
      body,
      signal,
      retry: false,
    });
    await res.body.dump().catch(() => undefined);
    await this.host.expect(res, [202, 204]);
    return this.location(res, signal);
  }

  /** Finish an upload (PUT ?digest=), with the last bytes (or all of them: a monolithic upload). */
  async finishUpload(location: string, digest: string, body: Buffer | null, signal?: AbortSignal): Promise<void> {
    const u = new URL(location);
    u.searchParams.set('digest', digest);
    const res = await this.send({
      method: 'PUT',
      path: u.toString(),
      headers: { 'content-type': 'application/octet-stream' },
      body: body ?? Buffer.alloc(0),
      signal,
    });
    await res.body.dump().catch(() => undefined);
    await this.host.expect(res, [201, 204]);
  }

  async putManifest(reference: string, bytes: Buffer, mediaType: string, signal?: AbortSignal): Promise<string> {
    const res = await this.send({
      method: 'PUT',
      path: `/v2/${this.path}/manifests/${reference}`,
      headers: { 'content-type': mediaType },
      body: bytes,
      signal,
    });
    await res.body.dump().catch(() => undefined);
    await this.host.expect(res, [201, 200, 202]);
    return sha256(bytes);
  }

  async tags(signal?: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    let path: string | null = `/v2/${this.path}/tags/list`;
    for (let page = 0; path && page < 100; page++) {
      const res: HttpResponse = await this.send({ method: 'GET', path, signal });
      await this.host.expect(res, [200], { kind: 'manifest', ref: this.path, repo: this.path });
      const doc = JSON.parse(await readText(res.body, 16 << 20)) as { tags?: string[] | null };
      out.push(...(doc.tags ?? []));
      path = nextLink(header(res, 'link'));
    }
    return out;
  }
}
