/**
 * Pulls through the test bed's fault proxy and against stand-in servers
 * that answer what a registry must not: a connection cut mid-blob is resumed
 * with a Range request, a single 5xx or 429 is retried, a flipped byte is
 * refused with docker's words and nothing kept; every registry error is one
 * line with exit 1; --platform picks from a two-platform OCI index.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { berth, describeIf, fixture, peerSkipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { V1_ID } from '../helpers/facts.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../helpers/fault-proxy.js';
import { pushMultiArch } from '../helpers/multi-arch.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushFixture } from '../helpers/registry-peers.js';

const BLOB = /\/blobs\/sha256:/;

function nothingKept(t: TempRoot): void {
  expect(readdirSync(join(t.root, 'layers'))).toEqual([]);
  expect(readdirSync(join(t.root, 'tmp'))).toEqual([]);
  expect(readdirSync(join(t.root, 'blobs', 'sha256'))).toEqual([]);
}

describeIf(peerSkipReason())('pull through faults', () => {
  let reg: TestRegistry;
  let big: string;
  let proxy: FaultProxy | null = null;
  let t: TempRoot;
  beforeAll(async () => {
    reg = await startRegistry();
    const remote = await pushFixture(reg, fixture('layers.docker-save.tar'), 'f/layers:v1', { image: 'bb-layers:v1' });
    // the base layer (about 1 MB): where cuts and flips land mid-blob
    big = remote.layers![0]!;
  });
  afterAll(() => reg?.stop());
  afterEach(async () => {
    await proxy?.stop();
    proxy = null;
    t?.cleanup();
  });
  const via = async (plan: FaultRule[]) => {
    proxy = await startFaultProxy(reg.host, plan);
    t = tempRoot('berth-fault-');
    return berth(t, ['pull', `${proxy.host}/f/layers:v1`]);
  };

  it('a connection cut mid-blob is resumed with a Range request', async () => {
    const r = await via([{ path: big, fault: { kind: 'drop', afterBytes: 100_000 } }]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(proxy!.faulted()).toHaveLength(1);
    expect(proxy!.rangeRequests(new RegExp(big))).toEqual([expect.objectContaining({ range: 'bytes=100000-' })]);
    const id = await berth(t, ['image', 'inspect', '-f', '{{.Id}}', `${proxy!.host}/f/layers:v1`]);
    expect(id.stdout.trim()).toBe(V1_ID);
  });

  it('a single 5xx on the manifest and a 429 with Retry-After on a blob are retried', async () => {
    const r = await via([
      { path: '/manifests/v1', fault: { kind: 'status', status: 503 } },
      { path: BLOB, fault: { kind: 'retry-after', seconds: 1 } },
    ]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(proxy!.pending()).toEqual([]);
  });

  it("a flipped byte is refused with docker's message, and nothing is kept", async () => {
    const r = await via([{ path: big, fault: { kind: 'corrupt' } }]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`Error: filesystem layer verification failed for digest ${big}\n`);
    expect((await berth(t, ['images', '-q'])).stdout).toBe('');
    nothingKept(t);
  });

  it("a registry that keeps failing: docker's one-line messages, exit 1", async () => {
    let r = await via([{ path: '/manifests/', fault: { kind: 'status', status: 500 }, times: 10 }]);
    expect([r.exitCode, r.stderr]).toEqual([1, 'Error: received unexpected HTTP status: 500 Internal Server Error\n']);
    await proxy!.stop();
    t.cleanup();
    r = await via([{ path: '/manifests/', fault: { kind: 'retry-after', seconds: 0 }, times: 10 }]);
    expect([r.exitCode, r.stderr]).toEqual([1, 'Error: toomanyrequests: injected 429 by the test proxy\n']);
    nothingKept(t);
    await proxy!.stop();
    t.cleanup();
    r = await via([{ path: '/manifests/', fault: { kind: 'status', status: 403 }, times: 10 }]);
    expect([r.exitCode, r.stderr]).toEqual([
      1,
      `Error: pull access denied for ${proxy!.host}/f/layers, repository does not exist or may require 'docker login': unknown: injected 403 by the test proxy\n`,
    ]);
  });
});

describeIf(peerSkipReason())('pull errors', () => {
  let t: TempRoot;
  let stand: Server;
  let standHost = '';
  const manifests = new Map<string, { type: string; body: Buffer }>();
  beforeAll(async () => {
    t = tempRoot('berth-pull-err-');
    // a stand-in registry serving manifests berth must refuse
    stand = createServer((req, res) => {
      const m = /^\/v2\/[^/]+\/manifests\/(.+)$/.exec(req.url ?? '');
      const doc = m ? manifests.get(m[1]!) : undefined;
      if (!doc) {
        res.writeHead(req.url === '/v2/' ? 200 : 404, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      res.writeHead(200, { 'content-type': doc.type, 'content-length': doc.body.length });
      res.end(req.method === 'HEAD' ? undefined : doc.body);
    });
    await new Promise<void>((r) => stand.listen(0, '127.0.0.1', () => r()));
    standHost = `127.0.0.1:${(stand.address() as { port: number }).port}`;
    manifests.set('huge', {
      type: 'application/vnd.docker.distribution.manifest.v2+json',
      body: Buffer.alloc(4 * 1024 * 1024 + 1, 0x20),
    });
    manifests.set('v1schema', {
      type: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
      body: Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'v1schema', fsLayers: [] })),
    });
  });
  afterAll(() => {
    stand?.close();
    t?.cleanup();
  });

  it('one line each, exit 1, nothing kept', async () => {
    const cases: [string, string][] = [
      [
        `${standHost}/x:huge`,
        `Error: manifest for ${standHost}/x:huge is too large: 4194305 bytes, the limit is 4194304\n`,
      ],
      [
        `${standHost}/x:v1schema`,
        `Error: [DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support is disabled by default and will be removed in an upcoming release. Suggest the author of ${standHost}/x:v1schema to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2. More information at https://docs.docker.com/go/deprecated-image-specs/\n`,
      ],
      [
        `${standHost}/x:none`,
        `Error: manifest for ${standHost}/x:none not found: manifest unknown: manifest unknown\n`,
      ],
      [
        '127.0.0.1:1/x:y',
        'Error: Get "http://127.0.0.1:1/v2/x/manifests/y": dial tcp 127.0.0.1:1: connect: connection refused\n',
      ],
      [
        'nohost.invalid/x:y',
        'Error: Get "https://nohost.invalid/v2/x/manifests/y": dial tcp: lookup nohost.invalid: no such host\n',
      ],
      ['a:b:c', 'invalid reference format\n'],
    ];
    for (const [ref, message] of cases) {
      const r = await berth(t, ['pull', ref]);
      expect([ref, r.exitCode, r.stderr]).toEqual([ref, 1, message]);
    }
    expect((await berth(t, ['images', '-q'])).stdout).toBe('');
    nothingKept(t);
  });
});

describeIf(peerSkipReason())('pull --platform from a two-platform OCI index', () => {
  let reg: TestRegistry;
  let t: TempRoot;
  beforeAll(async () => {
    reg = await startRegistry();
    t = tempRoot('berth-multi-');
  });
  afterAll(async () => {
    await reg?.stop();
    t?.cleanup();
  });

  it("picks the manifest of the platform asked for, the host's by default", async () => {
    const img = await pushMultiArch(reg, 'm/multi');
    const want = (arch: string) => img.images.find((i) => i.platform.architecture === arch)!;
    const arm = await berth(t, ['pull', '--platform', 'linux/arm64/v8', img.ref]);
    expect(arm.exitCode).toBe(0);
    expect(arm.stdout).toContain(`Digest: ${img.indexDigest}`);
    const id = () => berth(t, ['image', 'inspect', '-f', '{{.Id}} {{.Architecture}} {{json .RepoDigests}}', img.ref]);
    expect((await id()).stdout.trim()).toBe(
      `${want('arm64').configDigest} arm64 ${JSON.stringify([`${reg.host}/m/multi@${img.indexDigest}`])}`,
    );
    const amd = await berth(t, ['pull', '--platform', 'linux/amd64', img.ref]);
    expect(amd.exitCode).toBe(0);
    expect((await id()).stdout.trim()).toMatch(new RegExp(`^${want('amd64').configDigest} amd64 `));
    const none = await berth(t, ['pull', '--platform', 'linux/s390x', img.ref]);
    expect([none.exitCode, none.stderr]).toEqual([
      1,
      'Error: no matching manifest for linux/s390x in the manifest list entries\n',
    ]);
  });
});

describeIf(peerSkipReason())('HTTP_PROXY', () => {
  it('requests go through the proxy the environment names', async () => {
    const reg = await startRegistry();
    const proxy = await startFaultProxy('127.0.0.1:9'); // a forward proxy: absolute targets name the origin
    const t = tempRoot('berth-proxy-');
    try {
      await pushFixture(reg, fixture('busybox.docker-save.tar'), 'px/bb:1');
      const r = await berth(t, ['pull', `${reg.host}/px/bb:1`], { env: { HTTP_PROXY: proxy.url, NO_PROXY: '' } });
      expect([r.exitCode, r.stderr]).toEqual([0, '']);
      // undici's proxy agent tunnels (CONNECT) to the registry
      const through = () => proxy.events.filter((e) => e.tunnel === reg.host).length;
      expect(through()).toBeGreaterThan(0);
      const seen = through();
      const t2 = tempRoot('berth-noproxy-');
      try {
        const direct = await berth(t2, ['pull', `${reg.host}/px/bb:1`], {
          env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
        });
        expect(direct.exitCode).toBe(0);
        expect(through()).toBe(seen);
      } finally {
        t2.cleanup();
      }
    } finally {
      await proxy.stop();
      await reg.stop();
      t.cleanup();
    }
  });
});

describeIf(peerSkipReason())('registry-mirrors', () => {
  it('docker.io images come from the first mirror that has them', async () => {
    const mirror = await startRegistry();
    const t = tempRoot('berth-mirror-');
    try {
      await pushFixture(mirror, fixture('busybox.docker-save.tar'), 'library/mirrored:1');
      const cfg = join(t.base, 'xdg');
      mkdirSync(join(cfg, 'berth'), { recursive: true });
      writeFileSync(
        join(cfg, 'berth', 'config.json'),
        JSON.stringify({ registry: { 'registry-mirrors': ['http://127.0.0.1:9', `http://${mirror.host}`] } }),
      );
      const r = await berth(t, ['pull', 'mirrored:1'], { env: { XDG_CONFIG_HOME: cfg } });
      expect([r.exitCode, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toContain('Status: Downloaded newer image for mirrored:1');
      const names = await berth(t, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
      expect(names.stdout).toBe('mirrored:1\n');
      expect(mirror.accessLog().some((e) => e.path === '/v2/library/mirrored/manifests/1')).toBe(true);
    } finally {
      await mirror.stop();
      t.cleanup();
    }
  });
});
