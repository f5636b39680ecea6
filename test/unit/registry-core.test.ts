/** The registry client's pure parts: manifests, platforms, challenges, settings, proxies, progress display. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseChallenge, TokenCache } from '../../src/engine/registry/auth.js';
import { parseErrors, responseError } from '../../src/engine/registry/errors.js';
import { proxyFor, retryDelay } from '../../src/engine/registry/http.js';
import { buildManifest, MAX_MANIFEST, parseManifest } from '../../src/engine/registry/manifest.js';
import { selectManifest } from '../../src/engine/registry/platform-match.js';
import { inCidr, isInsecure, parseSettings, defaultSettings } from '../../src/engine/registry/settings.js';
import { splitTerm } from '../../src/engine/registry/search.js';
import { loginDomain } from '../../src/engine/registry/login.js';
import { progressString } from '../../src/client/format/progress-bar.js';
import { messageDisplay } from '../../src/cli/json-messages.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('manifests', () => {
  const image = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 10, digest: D('a') },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 5, digest: D('b') }],
  };
  it('reads docker schema 2 and OCI manifests and lists, with or without a mediaType field', () => {
    const m = parseManifest(Buffer.from(JSON.stringify(image)), '', 'x');
    expect(m.kind).toBe('image');
    const oci = {
      schemaVersion: 2,
      config: image.config,
      layers: [{ ...image.layers[0], mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }],
    };
    expect(
      parseManifest(Buffer.from(JSON.stringify(oci)), 'application/vnd.oci.image.manifest.v1+json', 'x').mediaType,
    ).toBe('application/vnd.oci.image.manifest.v1+json');
    const index = {
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1, digest: D('c') }],
    };
    expect(parseManifest(Buffer.from(JSON.stringify(index)), '', 'x').kind).toBe('list');
  });
  it('refuses schema 1, oversize documents, bad digests and unknown layer types', () => {
    expect(() => parseManifest(Buffer.from('{"schemaVersion":1}'), '', 'r:t')).toThrow(/DEPRECATION NOTICE.*r:t/);
    expect(() => parseManifest(Buffer.alloc(MAX_MANIFEST + 1, 32), '', 'r:t')).toThrow(/too large/);
    const bad = { ...image, layers: [{ ...image.layers[0], digest: 'sha256:../../etc' }] };
    expect(() => parseManifest(Buffer.from(JSON.stringify(bad)), '', 'x')).toThrow(/unsupported digest/);
    const odd = { ...image, layers: [{ ...image.layers[0], mediaType: 'text/html' }] };
    expect(() => parseManifest(Buffer.from(JSON.stringify(odd)), '', 'x')).toThrow(/unsupported layer media type/);
  });
  it('builds docker-shaped and OCI manifests', () => {
    const d = JSON.parse(
      buildManifest(false, { digest: D('a'), size: 3 }, [
        { digest: D('b'), size: 4, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' },
      ]).toString(),
    );
    expect(d.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(d.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    const o = JSON.parse(buildManifest(true, { digest: D('a'), size: 3 }, []).toString());
    expect([o.mediaType, o.config.mediaType]).toEqual([
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.oci.image.config.v1+json',
    ]);
  });
});

describe('platform selection (containerd rules)', () => {
  const entry = (architecture: string, variant?: string, c = 'd') => ({
    mediaType: 'x',
    size: 1,
    digest: D(c),
    platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) },
  });
  it('takes the exact platform, then what it can run', () => {
    const list = [
      entry('amd64', undefined, '1'),
      entry('arm', 'v6', '2'),
      entry('arm', 'v7', '3'),
      entry('arm64', 'v8', '4'),
    ];
    expect(selectManifest(list, { os: 'linux', architecture: 'arm64' }).digest).toBe(D('4'));
    expect(selectManifest(list.slice(0, 3), { os: 'linux', architecture: 'arm64' }).digest).toBe(D('3'));
    expect(selectManifest(list, { os: 'linux', architecture: 'arm', variant: 'v7' }).digest).toBe(D('3'));
    expect(selectManifest([entry('arm', 'v6', '2')], { os: 'linux', architecture: 'arm', variant: 'v7' }).digest).toBe(
      D('2'),
    );
    expect(() => selectManifest([entry('arm', 'v7')], { os: 'linux', architecture: 'arm', variant: 'v6' })).toThrow(
      'no matching manifest for linux/arm/v6 in the manifest list entries',
    );
    expect(selectManifest([entry('x86_64', undefined, '5')], { os: 'linux', architecture: 'amd64' }).digest).toBe(
      D('5'),
    );
  });
});

describe('auth', () => {
  it('parses challenges', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/busybox:pull',
      },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
    expect(parseChallenge('Negotiate abc')).toBeNull();
  });
  it('caches tokens per scope until they expire', async () => {
    let now = 1_000_000;
    const cache = new TokenCache(() => now);
    let calls = 0;
    const fetch = async (url: string) => {
      calls++;
      return {
        status: 200,
        text: JSON.stringify({
          token: `t${calls}:${new URL(url).searchParams.getAll('scope').join(',')}`,
          expires_in: 60,
        }),
      };
    };
    const ch = { scheme: 'bearer' as const, params: { realm: 'https://auth/token', service: 's' } };
    expect(await cache.token(ch, ['repository:a:pull'], null, fetch)).toBe('t1:repository:a:pull');
    expect(await cache.token(ch, ['repository:a:pull'], null, fetch)).toBe('t1:repository:a:pull');
    expect(await cache.token(ch, ['repository:b:pull'], null, fetch)).toBe('t2:repository:b:pull');
    now += 61_000;
    expect(await cache.token(ch, ['repository:a:pull'], null, fetch)).toBe('t3:repository:a:pull');
  });
  it("a refused token is docker's message, without the password", async () => {
    const cache = new TokenCache();
    const ch = { scheme: 'bearer' as const, params: { realm: 'https://auth/token' } };
    const fetch = async () => ({ status: 401, text: '{"details":"incorrect username or password"}' });
    await expect(cache.token(ch, [], { username: 'u', secret: 's3cret' }, fetch)).rejects.toThrow(
      /^unauthorized: incorrect username or password$/,
    );
  });
});

describe('registry errors', () => {
  it('reads the distribution error body', () => {
    expect(parseErrors('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' },
    ]);
    expect(
      responseError(404, '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}', {
        kind: 'manifest',
        ref: 'x:1',
        repo: 'x',
      }).message,
    ).toBe('repository x not found: name unknown: repository name not known to registry');
    expect(responseError(429, '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}').message).toBe(
      'toomanyrequests: slow down',
    );
    expect(responseError(502, '{"errors":[{"code":"X","message":"y"}]}').message).toBe(
      'received unexpected HTTP status: 502 Bad Gateway',
    );
    expect(
      responseError(403, '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}').code,
    ).toBe('PERMISSION_DENIED');
  });
  it('what a registry says is shown, never obeyed', () => {
    const evil = JSON.stringify({ errors: [{ code: 'DENIED', message: 'no \u001b]0;pwned\u0007 way\u009b2J' }] });
    expect(responseError(400, evil).message).toBe('denied: no ?]0;pwned? way?2J');
  });
  it('waits as Retry-After says, capped', () => {
    expect(retryDelay(1)).toBe(250);
    expect(retryDelay(3)).toBe(1000);
    expect(retryDelay(1, '2')).toBe(2000);
    expect(retryDelay(1, '3600')).toBe(10_000);
  });
});

describe('settings and transport choices', () => {
  it('parses the registry section, refusing unknown settings', () => {
    expect(parseSettings(undefined, 'f')).toEqual(defaultSettings());
    expect(
      parseSettings({ 'insecure-registries': ['a:5000'], 'max-concurrent-downloads': 6 }, 'f').maxConcurrentDownloads,
    ).toBe(6);
    expect(() => parseSettings({ 'insecure-registry': [] }, 'f')).toThrow(
      'f: registry.insecure-registry: unknown setting',
    );
    expect(() => parseSettings({ 'registry-mirrors': ['ftp://x'] }, 'f')).toThrow(/invalid mirror URL/);
  });
  it('127.0.0.0/8 is insecure by default, other ranges and names as configured', async () => {
    expect(inCidr('127.1.2.3', '127.0.0.0/8')).toBe(true);
    expect(inCidr('10.1.2.3', '10.0.0.0/16')).toBe(false);
    expect(inCidr('fd00::5', 'fd00::/8')).toBe(true);
    const s = defaultSettings();
    expect(await isInsecure('127.0.0.1:5000', s)).toBe(true);
    expect(await isInsecure('192.0.2.9:5000', s)).toBe(false);
    expect(await isInsecure('192.0.2.9:5000', { ...s, insecureRegistries: ['192.0.2.0/24'] })).toBe(true);
    expect(await isInsecure('reg.example:5000', { ...s, insecureRegistries: ['reg.example:5000'] })).toBe(true);
  });
  it('chooses proxies as Go does', () => {
    const env = {
      HTTPS_PROXY: 'proxy:3128',
      HTTP_PROXY: 'http://p2:8080',
      NO_PROXY: 'internal.example,.corp,10.0.0.1:5000',
    };
    expect(proxyFor('registry-1.docker.io', 'https:', env)).toBe('http://proxy:3128');
    expect(proxyFor('reg:5000', 'http:', env)).toBe('http://p2:8080');
    expect(proxyFor('internal.example', 'https:', env)).toBeNull();
    expect(proxyFor('a.corp:443', 'https:', env)).toBeNull();
    expect(proxyFor('10.0.0.1:5000', 'https:', env)).toBeNull();
    expect(proxyFor('10.0.0.1:5001', 'https:', env)).toBe('http://proxy:3128');
    expect(proxyFor('x', 'https:', {})).toBeNull();
  });
  it('splits search terms and login servers as docker does', () => {
    expect(splitTerm('nginx')).toEqual({ registry: 'docker.io', query: 'nginx' });
    expect(splitTerm('bitnami/nginx')).toEqual({ registry: 'docker.io', query: 'bitnami/nginx' });
    expect(splitTerm('localhost:5000/app')).toEqual({ registry: 'localhost:5000', query: 'app' });
    expect(loginDomain(undefined)).toBe('docker.io');
    expect(loginDomain('https://index.docker.io/v1/')).toBe('docker.io');
    expect(loginDomain('https://reg.example:5000/v2/')).toBe('reg.example:5000');
  });
});

describe('progress display', () => {
  it("renders docker's progress bar", () => {
    expect(progressString({ current: 12_345_678, total: 40_100_000 }, 200)).toBe(
      '[===============>                                   ]  12.35MB/40.1MB',
    );
    expect(progressString({ current: 5, total: 10 }, 80)).toBe('      5B/10B');
    expect(progressString({}, 200)).toBe('');
    expect(progressString({ current: 2_000_000 }, 200)).toBe('     2MB');
  });
  it('a pipe gets plain lines without byte counts; a terminal gets lines redrawn in place', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const plain = messageDisplay(out as unknown as NodeJS.WriteStream, false);
    plain.show({ status: 'Pulling from library/x', id: 'latest' });
    plain.show({ status: 'Pulling fs layer', progressDetail: {}, id: 'abc' });
    plain.show({ status: 'Downloading', progressDetail: { current: 5, total: 10 }, id: 'abc' });
    plain.show({ status: 'Pull complete', progressDetail: {}, id: 'abc' });
    expect(text).toBe('latest: Pulling from library/x\nabc: Pulling fs layer\nabc: Pull complete\n');
    text = '';
    const tty = messageDisplay(Object.assign(out, { columns: 120 }) as unknown as NodeJS.WriteStream, true);
    tty.show({ status: 'Waiting', progressDetail: {}, id: 'aaa' });
    tty.show({ status: 'Waiting', progressDetail: {}, id: 'bbb' });
    tty.show({ status: 'Downloading', progressDetail: { current: 5, total: 10 }, id: 'aaa' });
    expect(text).toContain('\n\x1b[1A\r\x1b[2Kaaa: Waiting\r\x1b[1B');
    expect(text).toContain(
      '\x1b[2A\r\x1b[2Kaaa: Downloading [=========================>                         ]       5B/10B',
    );
    // what a registry sends is shown, never obeyed
    text = '';
    plain.show({ status: 'evil \x1b]0;title\x07', id: 'x' });
    expect(text).toBe('x: evil ?]0;title?\n');
  });
});
