/**
 * The rest of the registry test bed, checked with the real peers: the fault
 * proxy plays its faults as planned (test/helpers/fault-proxy.ts), the
 * multi-arch index is what it says (multi-arch.ts, read back with skopeo
 * inspect --raw), the peer docker, podman and skopeo agree on image IDs and
 * RepoDigests after pulls (registry-peers.ts), and registries are cleaned up
 * when a test process ends without stop().
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO, describeIf, fixture, peerSkipReason } from '../helpers/env.js';
import { DIFF, OCI_CONFIG_ID, V1_ID } from '../helpers/facts.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { fetchUrl } from '../helpers/http-fetch.js';
import { OCI_INDEX, pushMultiArch, type MultiArchImage } from '../helpers/multi-arch.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import {
  dockerPull,
  dockerRemove,
  podmanPull,
  podmanStore,
  pushFixture,
  sha256,
  skopeoArgs,
  skopeoBin,
  skopeoImage,
  trustInPeerDocker,
  type RemoteImage,
} from '../helpers/registry-peers.js';

const layers = fixture('layers.docker-save.tar');

describeIf(peerSkipReason())('fault proxy in front of a test registry', () => {
  let reg: TestRegistry;
  let img: RemoteImage;
  let blobPath: string;
  let blob: Buffer;
  beforeAll(async () => {
    reg = await startRegistry();
    img = await pushFixture(reg, layers, 'fp/bb:v1', { image: 'bb-layers:v1' });
    blobPath = `/v2/fp/bb/blobs/${img.layers![0]}`; // the busybox layer, about 1 MB
    blob = (await fetchUrl(`${reg.url}${blobPath}`)).body;
    expect(sha256(blob)).toBe(img.layers![0]);
  });
  afterAll(() => reg?.stop());

  it('passes requests through untouched and records them', async () => {
    const p = await startFaultProxy(reg.url);
    try {
      const r = await fetchUrl(`${p.url}${blobPath}`);
      expect([r.status, r.aborted, sha256(r.body)]).toEqual([200, false, img.layers![0]]);
      const ranged = await fetchUrl(`${p.url}${blobPath}`, { headers: { Range: 'bytes=100-199' } });
      expect([ranged.status, ranged.body]).toEqual([206, blob.subarray(100, 200)]);
      expect(p.events.map((e) => [e.method, e.path, e.status, e.range, e.bytes, e.fault])).toEqual([
        ['GET', blobPath, 200, undefined, blob.length, undefined],
        ['GET', blobPath, 206, 'bytes=100-199', 100, undefined],
      ]);
      expect(p.rangeRequests(/blobs/)).toHaveLength(1);
      // uploads go through as well: the registry names the proxy in Location, because the Host header is passed on
      const up = await fetchUrl(`${p.url}/v2/fp/other/blobs/uploads/`, { method: 'POST' });
      expect(up.status).toBe(202);
      expect(up.headers.location).toMatch(new RegExp(`^http://${p.host}/v2/fp/other/blobs/uploads/`));
    } finally {
      await p.stop();
    }
  });

  it('drops a blob after N bytes once; the next request, and a Range resume, succeed', async () => {
    const p = await startFaultProxy(reg.url, [
      { path: /\/blobs\/sha256:/, fault: { kind: 'drop', afterBytes: 300_000 } },
    ]);
    try {
      const cut = await fetchUrl(`${p.url}${blobPath}`);
      expect([cut.status, cut.aborted, cut.body.length]).toEqual([200, true, 300_000]);
      expect(cut.body.equals(blob.subarray(0, 300_000))).toBe(true);
      const rest = await fetchUrl(`${p.url}${blobPath}`, { headers: { Range: `bytes=${cut.body.length}-` } });
      expect([rest.status, rest.aborted]).toEqual([206, false]);
      expect(sha256(Buffer.concat([cut.body, rest.body]))).toBe(img.layers![0]);
      expect(p.faulted().map((e) => [e.fault, e.cut, e.bytes])).toEqual([['drop', true, 300_000]]);
      expect(p.rangeRequests(/\/blobs\//).map((e) => e.range)).toEqual(['bytes=300000-']);
      expect(p.pending()).toEqual([]);
    } finally {
      await p.stop();
    }
  });

  it('answers one 5xx and one 429 with Retry-After, each once, then forwards', async () => {
    const p = await startFaultProxy(reg.url, [
      { path: '/manifests/', fault: { kind: 'status', status: 503 } },
      { path: /\/blobs\//, fault: { kind: 'retry-after', seconds: 2 } },
    ]);
    try {
      const m1 = await fetchUrl(`${p.url}/v2/fp/bb/manifests/v1`, { method: 'HEAD' });
      const m2 = await fetchUrl(`${p.url}/v2/fp/bb/manifests/v1`, { method: 'HEAD' });
      expect([m1.status, m2.status]).toEqual([503, 200]);
      const b1 = await fetchUrl(`${p.url}${blobPath}`);
      expect([b1.status, b1.headers['retry-after'], JSON.parse(b1.body.toString()).errors[0].code]).toEqual([
        429,
        '2',
        'TOOMANYREQUESTS',
      ]);
      expect(sha256((await fetchUrl(`${p.url}${blobPath}`)).body)).toBe(img.layers![0]);
      expect(p.events.map((e) => [e.status, e.fault, e.upstream === null])).toEqual([
        [503, 'status', true],
        [200, undefined, false],
        [429, 'retry-after', true],
        [200, undefined, false],
      ]);
    } finally {
      await p.stop();
    }
  });

  it('corrupts exactly one byte of one blob response', async () => {
    const p = await startFaultProxy(reg.url, [{ path: /\/blobs\//, fault: { kind: 'corrupt', offset: 12345 } }]);
    try {
      const bad = await fetchUrl(`${p.url}${blobPath}`);
      expect([bad.status, bad.body.length]).toEqual([200, blob.length]);
      expect(sha256(bad.body)).not.toBe(img.layers![0]);
      const diff = [...bad.body.keys()].filter((i) => bad.body[i] !== blob[i]);
      expect(diff).toEqual([12345]);
      expect(sha256((await fetchUrl(`${p.url}${blobPath}`)).body)).toBe(img.layers![0]);
    } finally {
      await p.stop();
    }
  });

  it('skopeo copies through the proxy as through the registry, and the proxy counts its manifest requests', async () => {
    const p = await startFaultProxy(reg.url);
    try {
      const r = await execa(skopeoBin(), ['inspect', '--raw', '--tls-verify=false', `docker://${p.host}/fp/bb:v1`]);
      expect(sha256(Buffer.from(r.stdout))).toBe(img.digest);
      expect(p.count(/\/manifests\/v1$/)).toBe(1);
    } finally {
      await p.stop();
    }
  });

  it('works as a forward proxy: absolute URLs, and CONNECT tunnels to a TLS registry', async () => {
    const p = await startFaultProxy(reg.url);
    const tlsReg = await startRegistry({ tls: true });
    try {
      const viaAbsolute = await new Promise<number>((resolve, reject) => {
        const s = net.connect(Number(p.host.split(':')[1]), '127.0.0.1', () =>
          s.write(`GET ${reg.url}/v2/ HTTP/1.1\r\nHost: ${reg.host}\r\nConnection: close\r\n\r\n`),
        );
        let text = '';
        s.on('data', (d) => (text += d.toString()));
        s.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1])));
        s.on('error', reject);
      });
      expect(viaAbsolute).toBe(200);
      const status = await new Promise<string>((resolve, reject) => {
        const s = net.connect(Number(p.host.split(':')[1]), '127.0.0.1', () =>
          s.write(`CONNECT ${tlsReg.host} HTTP/1.1\r\nHost: ${tlsReg.host}\r\n\r\n`),
        );
        s.once('data', (d) => {
          expect(d.toString()).toMatch(/^HTTP\/1\.1 200/);
          const t = tls.connect({ socket: s, ca: [readFileSync(tlsReg.caFile!)] });
          t.on('secureConnect', () =>
            t.write(`GET /v2/ HTTP/1.1\r\nHost: ${tlsReg.host}\r\nConnection: close\r\n\r\n`),
          );
          let text = '';
          t.on('data', (c) => (text += c.toString()));
          t.on('end', () => resolve(text.split('\r\n')[0]!));
          t.on('error', reject);
        });
        s.on('error', reject);
      });
      expect(status).toBe('HTTP/1.1 200 OK');
      expect(p.events.filter((e) => e.tunnel).map((e) => [e.method, e.tunnel, e.status])).toEqual([
        ['CONNECT', tlsReg.host, 200],
      ]);
    } finally {
      await p.stop();
      await tlsReg.stop();
    }
  });
});

describeIf(peerSkipReason())('multi-arch OCI index from the fixtures', () => {
  let reg: TestRegistry;
  let multi: MultiArchImage;
  beforeAll(async () => {
    reg = await startRegistry({ tls: true });
    multi = await pushMultiArch(reg, 'ma/bb');
  });
  afterAll(() => reg?.stop());

  const raw = async (ref: string, extra: string[] = []) => {
    const r = await execa(skopeoBin(), ['inspect', ...extra, ...skopeoArgs(reg, null), `docker://${reg.host}/${ref}`]);
    return JSON.parse(r.stdout) as Record<string, any>;
  };

  it('the tag serves an OCI index of linux/amd64 and linux/arm64/v8', async () => {
    expect(multi.ref).toBe(`${reg.host}/ma/bb:multi`);
    const idx = await raw('ma/bb:multi', ['--raw']);
    expect(idx.mediaType).toBe(OCI_INDEX);
    expect(idx.manifests.map((m: { platform: unknown; digest: string }) => [m.platform, m.digest])).toEqual([
      [{ architecture: 'amd64', os: 'linux' }, multi.images[0]!.digest],
      [{ architecture: 'arm64', os: 'linux', variant: 'v8' }, multi.images[1]!.digest],
    ]);
  });

  it('each platform manifest has the config and layers the helper reports', async () => {
    const [amd, arm] = multi.images;
    expect([amd!.configDigest, amd!.diffIds, amd!.layers.length]).toEqual([OCI_CONFIG_ID, DIFF, 3]);
    expect([arm!.diffIds, arm!.layers]).toEqual([[DIFF[0]], [amd!.layers[0]]]);
    for (const im of multi.images) {
      const m = await raw(`ma/bb@${im.digest}`, ['--raw']);
      expect([m.config.digest, m.layers.map((l: { digest: string }) => l.digest)]).toEqual([
        im.configDigest,
        im.layers,
      ]);
    }
    const armCfg = await raw(`ma/bb@${arm!.digest}`, ['--config']);
    expect([armCfg.architecture, armCfg.variant, armCfg.os]).toEqual(['arm64', 'v8', 'linux']);
    // skopeo's own platform choice picks the same manifests (its Digest names the index it resolved)
    const picked = await raw('ma/bb:multi', ['--override-arch', 'arm64', '--override-variant', 'v8']);
    expect([picked.Digest, picked.Architecture, picked.Layers]).toEqual([multi.indexDigest, 'arm64', arm!.layers]);
    const pickedAmd = await raw('ma/bb:multi', ['--override-arch', 'amd64']);
    expect([pickedAmd.Architecture, pickedAmd.Layers]).toEqual(['amd64', amd!.layers]);
  });
});

describeIf(peerSkipReason())('peers push and pull through the test registries, agreeing on IDs and digests', () => {
  let reg: TestRegistry;
  let untrust: () => void;
  beforeAll(async () => {
    reg = await startRegistry({ tls: true, auth: 'token' });
    untrust = trustInPeerDocker(reg);
  });
  afterAll(async () => {
    untrust?.();
    await reg?.stop();
  });

  it('the peer docker pushes through the token server; docker, podman and skopeo pull the same image', async () => {
    expect(existsSync(join('/etc/docker/certs.d', reg.host, 'ca.crt'))).toBe(true);
    const before = reg.tokenServer!.requests;
    const pushed = await pushFixture(reg, layers, 'rt/layers:v1', { tool: 'docker', image: 'bb-layers:v1' });
    expect(pushed.configDigest).toBe(V1_ID);
    expect(reg.tokenServer!.log.slice(before).some((r) => r.user === reg.user && r.status === 200)).toBe(true);
    const want = { id: V1_ID, repoDigests: [`${reg.host}/rt/layers@${pushed.digest}`] };
    await dockerRemove(`${reg.host}/rt/layers:v1`);
    try {
      expect(await dockerPull(reg, 'rt/layers:v1')).toEqual(want);
    } finally {
      await dockerRemove(`${reg.host}/rt/layers:v1`);
    }
    const store = podmanStore();
    try {
      const pod = await podmanPull(reg, 'rt/layers:v1', store);
      expect(pod.id).toBe(V1_ID);
      expect(pod.repoDigests).toContain(want.repoDigests[0]);
    } finally {
      store.cleanup();
    }
    expect(await skopeoImage(reg, 'rt/layers:v1')).toEqual({ digest: pushed.digest, id: V1_ID });
  });
});

describeIf(peerSkipReason())('registries are cleaned up when the test process ends without stop()', () => {
  it('on a normal exit (directory removed) and on SIGKILL (process gone with its parent)', async () => {
    const child = join(REPO, 'test', 'helpers', 'registry-child.ts');
    const viteNode = join(REPO, 'node_modules', '.bin', 'vite-node');
    const normal = await execa(viteNode, [child, 'exit'], { cwd: REPO });
    const a = JSON.parse(normal.stdout.trim().split('\n').pop()!) as { url: string; dataDir: string };
    expect(existsSync(a.dataDir)).toBe(false);
    await expect(fetchUrl(`${a.url}/v2/`)).rejects.toThrow(/ECONNREFUSED/);

    const killed = execa(viteNode, [child, 'hang'], { cwd: REPO, reject: false });
    const line = await new Promise<string>((resolve) => {
      let out = '';
      killed.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
    });
    const b = JSON.parse(line) as { url: string; dataDir: string; pid: number };
    expect((await fetchUrl(`${b.url}/v2/`)).status).toBe(200);
    process.kill(b.pid, 'SIGKILL');
    await killed;
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      refused = await fetchUrl(`${b.url}/v2/`).then(
        () => false,
        () => true,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused).toBe(true);
    rmSync(b.dataDir, { recursive: true, force: true }); // nothing can remove it after a SIGKILL
  });
});
