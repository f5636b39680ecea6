/** Round trips through berth and through the real peers: docker, podman, skopeo. */
import { execa } from 'execa';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  berth,
  berthBytes,
  describeIf,
  fixture,
  peerDocker,
  peerSkipReason,
  skipReason,
  tempRoot,
  type TempRoot,
} from '../helpers/env.js';
import { BB_ID, DIFF, V0_ID, V1_ID } from '../helpers/facts.js';

describeIf(skipReason())('berth save -> berth load', () => {
  let a: TempRoot;
  let b: TempRoot;
  beforeAll(() => {
    a = tempRoot();
    b = tempRoot();
  });
  afterAll(() => {
    a.cleanup();
    b.cleanup();
  });

  it('keeps image IDs, tags and parents in a second root', async () => {
    await berth(a, ['load', '-i', fixture('layers.docker-save.tar')]);
    const out = join(a.base, 'all.tar');
    const s = await berth(a, ['save', '-o', out, 'bb-layers', 'bb']);
    expect([s.exitCode, s.stderr]).toEqual([0, '']);
    const l = await berth(b, ['load', '-i', out]);
    expect(l.exitCode).toBe(0);
    const ids = async (t: TempRoot) =>
      (await berth(t, ['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout
        .split('\n')
        .filter(Boolean)
        .sort();
    expect(await ids(b)).toEqual(await ids(a));
    expect(await ids(b)).toEqual([
      `bb-layers:latest ${V1_ID}`,
      `bb-layers:v0 ${V0_ID}`,
      `bb-layers:v1 ${V1_ID}`,
      `bb:latest ${BB_ID}`,
    ]);
    expect((await berth(b, ['inspect', '-f', '{{.Parent}}', 'bb-layers:v1'])).stdout).toBe(`${V0_ID}\n`);
  });

  it('saving by ID gives an untagged image; unknown images are refused before writing', async () => {
    const out = join(a.base, 'byid.tar');
    await berth(a, ['save', '-o', out, BB_ID.slice(7, 19)]);
    const c = tempRoot();
    try {
      expect((await berth(c, ['load', '-i', out])).stdout).toBe(`Loaded image ID: ${BB_ID}\n`);
    } finally {
      c.cleanup();
    }
    const bad = await berth(a, ['save', '-o', join(a.base, 'nope.tar'), 'nope']);
    expect([bad.exitCode, bad.stderr]).toEqual([1, 'Error: No such image: nope:latest\n']);
    const { existsSync, readdirSync } = await import('node:fs');
    expect(existsSync(join(a.base, 'nope.tar'))).toBe(false);
    expect(readdirSync(a.base).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('streams to stdout', async () => {
    const r = await berthBytes(a, ['save', 'bb']);
    expect(r.exitCode).toBe(0);
    const c = tempRoot();
    try {
      expect((await berth(c, ['load'], { input: r.stdout })).stdout).toBe('Loaded image: bb:latest\n');
    } finally {
      c.cleanup();
    }
  });
});

describeIf(peerSkipReason())('the peers accept our archives', () => {
  let t: TempRoot;
  let archive: string;
  let single: string;
  beforeAll(async () => {
    t = tempRoot();
    await berth(t, ['load', '-i', fixture('layers.docker-save.tar')]);
    await berth(t, ['tag', 'bb-layers:v1', 'berth-interop/layers:rt']);
    archive = join(t.base, 'rt.tar');
    single = join(t.base, 'single.tar');
    expect((await berth(t, ['save', '-o', archive, 'berth-interop/layers:rt', 'bb:latest'])).exitCode).toBe(0);
    expect((await berth(t, ['save', '-o', single, 'berth-interop/layers:rt'])).exitCode).toBe(0);
  });
  afterAll(async () => {
    await peerDocker(['rmi', '-f', 'berth-interop/layers:rt']);
    await execa(
      process.env.PEER_PODMAN ?? 'podman',
      ['rmi', '-f', 'localhost/berth-interop/layers:rt', 'docker.io/berth-interop/layers:rt'],
      { reject: false },
    );
    t.cleanup();
  });

  it('docker load keeps the IDs and docker run sees the same files', async () => {
    await peerDocker(['rmi', '-f', 'berth-interop/layers:rt']);
    const l = await peerDocker(['load', '-i', archive]);
    expect(l.stdout).toContain('Loaded image: berth-interop/layers:rt');
    expect((await peerDocker(['image', 'inspect', '-f', '{{.Id}}', 'berth-interop/layers:rt'])).stdout.trim()).toBe(
      V1_ID,
    );
    const run = await peerDocker([
      'run',
      '--rm',
      'berth-interop/layers:rt',
      'sh',
      '-c',
      'cat /data/a.txt /data/hard.txt; ls /data/sub; readlink /data/link; test -e /bin/wc || echo no-wc; echo $FOO; pwd',
    ]);
    expect(run.stdout).toBe('changed\none\nn\n/data/a.txt\nno-wc\nbar\n/data');
  });

  it("docker save output loads into berth with docker's IDs", async () => {
    const out = join(t.base, 'from-docker.tar');
    await peerDocker(['save', '-o', out, 'berth-interop/layers:rt']);
    const c = tempRoot();
    try {
      expect((await berth(c, ['load', '-i', out])).stdout).toBe('Loaded image: berth-interop/layers:rt\n');
      expect(
        (await berth(c, ['inspect', '-f', '{{.Id}} {{json .RootFS.Layers}}', 'berth-interop/layers:rt'])).stdout,
      ).toBe(`${V1_ID} ${JSON.stringify(DIFF)}\n`);
    } finally {
      c.cleanup();
    }
  });

  it('podman load accepts the archive', async () => {
    const podman = process.env.PEER_PODMAN ?? 'podman';
    const r = await execa(podman, ['load', '-i', archive], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const ids = await execa(podman, ['images', '--no-trunc', '--format', '{{.ID}}'], { reject: false });
    expect(ids.stdout).toContain(V1_ID.slice(7));
  });

  it('an OCI archive with zstd layers, written by skopeo, loads with the same DiffIDs', async () => {
    const skopeo = process.env.PEER_SKOPEO ?? 'skopeo';
    const oci = join(t.base, 'zstd-oci.tar');
    const c = await execa(
      skopeo,
      [
        'copy',
        '--dest-compress-format',
        'zstd',
        '--dest-compress',
        `docker-archive:${single}`,
        `oci-archive:${oci}:zz:1`,
      ],
      { reject: false },
    );
    expect(c.exitCode, c.stderr).toBe(0);
    const index = JSON.parse((await execa('tar', ['-xOf', oci, 'index.json'])).stdout);
    const manifest = JSON.parse(
      (await execa('tar', ['-xOf', oci, `blobs/sha256/${index.manifests[0].digest.slice(7)}`])).stdout,
    );
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(
      Array(3).fill('application/vnd.oci.image.layer.v1.tar+zstd'),
    );
    const r = tempRoot();
    try {
      const l = await berth(r, ['load', '-i', oci]);
      expect([l.exitCode, l.stdout]).toEqual([0, 'Loaded image: zz:1\n']);
      expect((await berth(r, ['inspect', '-f', '{{json .RootFS.Layers}}', 'zz:1'])).stdout).toBe(
        `${JSON.stringify(DIFF)}\n`,
      );
    } finally {
      r.cleanup();
    }
  });

  it('skopeo inspect reads it as docker-archive and as an OCI layout', async () => {
    const skopeo = process.env.PEER_SKOPEO ?? 'skopeo';
    const d = await execa(skopeo, ['inspect', `docker-archive:${single}`], { reject: false });
    expect(d.exitCode, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout).Layers).toEqual(DIFF);
    const o = await execa(skopeo, ['inspect', '--config', `oci-archive:${single}`], { reject: false });
    expect(o.exitCode, o.stderr).toBe(0);
    expect(JSON.parse(o.stdout).rootfs.diff_ids).toEqual(DIFF);
  });
});
