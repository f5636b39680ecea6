/**
 * Layer forms a pull must take: gzip, zstd and uncompressed layers, and a
 * foreign layer fetched from its `urls` rather than the registry. A
 * stand-in registry in this file serves an OCI manifest with one of each,
 * built here from small tars (zstd by the zstd tool), so the test needs no
 * network beyond loopback.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, describeIf, peerSkipReason, tempRoot, type TempRoot } from '../helpers/env.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describeIf(peerSkipReason())('layer forms', () => {
  let t: TempRoot;
  let server: Server;
  let host = '';
  const blobs = new Map<string, Buffer>();
  const served: string[] = [];
  let manifest: Buffer;
  let configDigest = '';
  let diffIds: string[] = [];
  let evil: Buffer;
  let evilConfig: Buffer;
  let evilConfigDigest = '';
  beforeAll(async () => {
    t = tempRoot('berth-layer-forms-');
    const tars: Buffer[] = [];
    for (const name of ['one', 'two', 'three']) {
      const dir = join(t.base, name);
      mkdirSync(join(dir, 'data'), { recursive: true });
      writeFileSync(join(dir, 'data', `${name}.txt`), `${name}\n`.repeat(1000));
      tars.push(execFileSync('tar', ['--numeric-owner', '-C', dir, '-cf', '-', 'data']));
    }
    writeFileSync(join(t.base, 'two.tar'), tars[1]!);
    const zst = execFileSync('zstd', ['-q', '-c', join(t.base, 'two.tar')]);
    const gz = gzipSync(tars[0]!);
    const plain = tars[2]!;
    diffIds = tars.map(sha);
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds } }),
    );
    configDigest = sha(config);
    // an image whose VOLUME would be a mount spec naming a host path
    evilConfig = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Volumes: { '/etc:/host-etc': {} } },
        rootfs: { type: 'layers', diff_ids: [diffIds[2]] },
      }),
    );
    evilConfigDigest = sha(evilConfig);
    for (const b of [config, zst, plain]) blobs.set(sha(b), b);
    server = createServer((req, res) => {
      served.push(`${req.method} ${req.url}`);
      const url = req.url ?? '';
      if (url === '/foreign/one.tar.gz') {
        res.writeHead(200, { 'content-length': gz.length }).end(gz);
        return;
      }
      if (url === '/v2/forms/evil/manifests/1') {
        res.writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'content-length': evil.length,
        });
        res.end(req.method === 'HEAD' ? undefined : evil);
        return;
      }
      if (url.startsWith('/v2/forms/evil/blobs/') && url.endsWith(evilConfigDigest)) {
        res.writeHead(200, { 'content-length': evilConfig.length }).end(evilConfig);
        return;
      }
      if (url === '/v2/forms/img/manifests/1') {
        res.writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'content-length': manifest.length,
        });
        res.end(req.method === 'HEAD' ? undefined : manifest);
        return;
      }
      const m = /^\/v2\/forms\/img\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url);
      const blob = m ? blobs.get(m[1]!) : undefined;
      if (!blob) {
        res.writeHead(url === '/v2/' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      res.writeHead(200, { 'content-length': blob.length }).end(blob);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    evil = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: evilConfigDigest,
          size: evilConfig.length,
        },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(plain), size: plain.length }],
      }),
    );
    manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
            digest: sha(gz),
            size: gz.length,
            urls: [`http://${host}/foreign/one.tar.gz`],
          },
          { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: sha(zst), size: zst.length },
          { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(plain), size: plain.length },
        ],
      }),
    );
  });
  afterAll(() => {
    server?.close();
    t?.cleanup();
  });

  it('refuses an image whose VOLUME is not a plain path, before fetching a layer', async () => {
    const t2 = tempRoot('berth-evil-volume-');
    try {
      const before = served.length;
      const r = await berth(t2, ['pull', `${host}/forms/evil:1`]);
      expect([r.exitCode, r.stderr]).toEqual([
        1,
        `Error: image ${evilConfigDigest}: invalid VOLUME "/etc:/host-etc": a volume is a path inside the container and may not contain ":"\n`,
      ]);
      expect(served.slice(before).filter((x) => x.includes('/blobs/') && !x.includes(evilConfigDigest))).toEqual([]);
      expect((await berth(t2, ['images', '-q'])).stdout).toBe('');
    } finally {
      t2.cleanup();
    }
  });

  it('pulls a foreign gzip layer from its URL, a zstd layer and an uncompressed one, each checked', async () => {
    const r = await berth(t, ['pull', `${host}/forms/img:1`]);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(r.stdout.match(/: Pull complete$/gm)).toHaveLength(3);
    const insp = await berth(t, ['image', 'inspect', '-f', '{{.Id}} {{json .RootFS.Layers}}', `${host}/forms/img:1`]);
    expect(insp.stdout.trim()).toBe(`${configDigest} ${JSON.stringify(diffIds)}`);
    // the foreign layer came from its URL, not from the registry
    expect(served).toContain('GET /foreign/one.tar.gz');
    expect(served.some((s) => s.includes('/blobs/') && s.includes(diffIds[0]!.slice(7, 20)))).toBe(false);
    expect((await berth(t, ['system', 'check'])).exitCode).toBe(0);
    // the trees hold the files (the layer directories in overlay form)
    const layers = readFileSync(join(t.root, 'layers', diffIds[0]!.slice(7), 'diff', 'data', 'one.txt'), 'utf8');
    expect(layers).toBe('one\n'.repeat(1000));
  });
});
