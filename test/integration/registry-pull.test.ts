/**
 * berth pull against real registries (docker-registry 2.8 from the test bed):
 * what docker and skopeo see is what berth stores (image IDs, RepoDigests),
 * layers it has are not downloaded again, an image already here costs one
 * manifest request, and every failure leaves nothing in the store.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmbeddedBackend } from '../../src/client/embedded.js';
import { berth, CLI, describeIf, fixture, peerSkipReason, REPO, tempRoot, type TempRoot } from '../helpers/env.js';
import { BB_ID, V0_ID, V1_ID } from '../helpers/facts.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { dockerPull, dockerRemove, pushFixture, skopeoImage } from '../helpers/registry-peers.js';

const layersTar = fixture('layers.docker-save.tar');

describeIf(peerSkipReason())('pull from a plain-HTTP registry on loopback', () => {
  let reg: TestRegistry;
  let t: TempRoot;
  beforeAll(async () => {
    reg = await startRegistry();
    await pushFixture(reg, layersTar, 'lib/layers:v0', { image: 'bb-layers:v0' });
    await pushFixture(reg, layersTar, 'lib/layers:v1', { image: 'bb-layers:v1' });
    await pushFixture(reg, layersTar, 'lib/layers:oci', { image: 'bb-layers:v1', format: 'oci' });
    await pushFixture(reg, fixture('busybox.docker-save.tar'), 'lib/bb:latest');
    t = tempRoot('berth-pull-');
  });
  afterAll(async () => {
    await reg?.stop();
    t?.cleanup();
  });

  it('pulls with docker plain output, keeping the ID and RepoDigest docker and skopeo see', async () => {
    const r = await berth(t, ['pull', `${reg.host}/lib/layers:v0`]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('v0: Pulling from lib/layers');
    expect(lines.filter((l) => /: Pull complete$/.test(l))).toHaveLength(2);
    expect(r.stdout).not.toMatch(/Downloading|\x1b/); // no byte counts or cursor moves in a pipe
    const remote = await skopeoImage(reg, 'lib/layers:v0');
    expect(lines.slice(-3)).toEqual([
      `Digest: ${remote.digest}`,
      `Status: Downloaded newer image for ${reg.host}/lib/layers:v0`,
      `${reg.host}/lib/layers:v0`,
    ]);
    const docker = await dockerPull(reg, 'lib/layers:v0');
    await dockerRemove(`${reg.host}/lib/layers:v0`);
    const insp = await berth(t, [
      'image',
      'inspect',
      `${reg.host}/lib/layers:v0`,
      '--format',
      '{{.Id}} {{json .RepoDigests}}',
    ]);
    expect(insp.stdout.trim()).toBe(`${V0_ID} ${JSON.stringify(docker.repoDigests)}`);
    expect(docker.id).toBe(V0_ID);
    const digests = await berth(t, ['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']);
    expect(digests.stdout).toContain(`${reg.host}/lib/layers v0 ${remote.digest}`);
  });

  it('does not download the layers it has: "Already exists"', async () => {
    const r = await berth(t, ['pull', `${reg.host}/lib/layers:v1`]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.match(/: Already exists$/gm)).toHaveLength(2);
    expect(r.stdout.match(/: Pull complete$/gm)).toHaveLength(1);
    const id = await berth(t, ['image', 'inspect', '-f', '{{.Id}}', `${reg.host}/lib/layers:v1`]);
    expect(id.stdout.trim()).toBe(V1_ID);
    // the container sees all three layers
    const run = await berth(t, ['run', '--rm', `${reg.host}/lib/layers:v1`, 'cat', '/data/a.txt', '/data/sub/n']);
    expect([run.exitCode, run.stdout]).toEqual([0, 'changed\nnew\n']);
  });

  it('an image already here costs one manifest request (a HEAD) and no blob', async () => {
    const before = reg.accessLog().length;
    const r = await berth(t, ['pull', '-q', `${reg.host}/lib/layers:v1`]);
    expect([r.exitCode, r.stdout]).toEqual([0, `${reg.host}/lib/layers:v1\n`]);
    const seen = reg.accessLog().slice(before);
    expect(seen.map((e) => `${e.method} ${e.path}`)).toEqual([`HEAD /v2/lib/layers/manifests/v1`]);
    const again = await berth(t, ['pull', `${reg.host}/lib/layers:v1`]);
    expect(again.stdout).toContain(`Status: Image is up to date for ${reg.host}/lib/layers:v1`);
  });

  it('pulls and runs by digest; the digest name is listed', async () => {
    const remote = await skopeoImage(reg, 'lib/bb:latest');
    const ref = `${reg.host}/lib/bb@${remote.digest}`;
    const r = await berth(t, ['pull', ref]);
    expect(r.exitCode).toBe(0);
    // docker names a digest pull's line by the whole reference (the compatibility run compares with dockerd)
    expect(r.stdout.split('\n')[0]).toBe(`${ref}: Pulling from lib/bb`);
    expect(r.stdout).toContain(`Status: Downloaded newer image for ${ref}`);
    const list = await berth(t, ['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}} {{.ID}}']);
    expect(list.stdout).toContain(`${reg.host}/lib/bb <none> ${remote.digest} ${BB_ID.slice(7, 19)}`);
    const run = await berth(t, ['run', '--rm', ref, 'echo', 'by digest']);
    expect([run.exitCode, run.stdout]).toEqual([0, 'by digest\n']);
    // by digest and here: not even a HEAD
    const before = reg.accessLog().length;
    expect((await berth(t, ['pull', ref])).stdout).toContain('Image is up to date');
    expect(reg.accessLog().length).toBe(before);
  });

  it('pulls an OCI manifest and keeps it for push (an OCI image stays OCI)', async () => {
    const t2 = tempRoot('berth-pull-oci-');
    try {
      const r = await berth(t2, ['pull', `${reg.host}/lib/layers:oci`]);
      expect(r.exitCode).toBe(0);
      const id = await berth(t2, ['image', 'inspect', '-f', '{{.Id}}', `${reg.host}/lib/layers:oci`]);
      expect(id.stdout.trim()).toBe((await skopeoImage(reg, 'lib/layers:oci')).id);
      await berth(t2, ['tag', `${reg.host}/lib/layers:oci`, `${reg.host}/lib/oci-again:x`]);
      const p = await berth(t2, ['push', `${reg.host}/lib/oci-again:x`]);
      expect(p.exitCode).toBe(0);
      const { stdout } = await execa('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${reg.host}/lib/oci-again:x`,
      ]);
      expect(JSON.parse(stdout).mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    } finally {
      t2.cleanup();
    }
  });

  it('pull -a pulls every tag of a repository', async () => {
    const t2 = tempRoot('berth-pull-all-');
    try {
      const r = await berth(t2, ['pull', '-a', `${reg.host}/lib/layers`]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('oci: Pulling from lib/layers');
      expect(r.stdout).toContain('v0: Pulling from lib/layers');
      expect(r.stdout).toContain('v1: Pulling from lib/layers');
      expect(r.stdout.trim().split('\n').pop()).toBe(`${reg.host}/lib/layers`);
      const tags = await berth(t2, ['images', '--format', '{{.Tag}}', `${reg.host}/lib/layers`]);
      expect(tags.stdout.split('\n').filter(Boolean).sort()).toEqual(['oci', 'v0', 'v1']);
      expect((await berth(t2, ['pull', '-a', `${reg.host}/lib/layers:v1`])).stderr).toBe(
        "tag can't be used with --all-tags/-a\n",
      );
    } finally {
      t2.cleanup();
    }
  });

  it("records docker's pull event", async () => {
    const ev = await berth(t, [
      'events',
      '--since',
      '0',
      '--until',
      '0s',
      '--filter',
      'event=pull',
      '--format',
      '{{.Actor.ID}} {{.Actor.Attributes.name}}',
    ]);
    expect(ev.stdout).toContain(`${reg.host}/lib/layers:v0 ${reg.host}/lib/layers`);
  });

  it('run pulls what is missing, on stderr, and --pull never does not', async () => {
    const t2 = tempRoot('berth-run-pull-');
    try {
      const never = await berth(t2, ['run', '--rm', '--pull', 'never', `${reg.host}/lib/bb`, 'true']);
      expect(never.exitCode).toBe(125);
      expect(await berth(t2, ['images', '-q'])).toMatchObject({ stdout: '' });
      const r = await berth(t2, ['run', '--rm', `${reg.host}/lib/bb`, 'echo', 'hello']);
      expect([r.exitCode, r.stdout]).toEqual([0, 'hello\n']);
      expect(r.stderr.split('\n')[0]).toBe(`Unable to find image '${reg.host}/lib/bb:latest' locally`);
      expect(r.stderr).toContain(`Status: Downloaded newer image for ${reg.host}/lib/bb:latest`);
      const c = await berth(t2, ['create', '--pull', 'always', `${reg.host}/lib/bb`, 'true']);
      expect(c.exitCode).toBe(0);
      expect(c.stderr).toContain('Image is up to date');
      expect(c.stdout).toMatch(/^[0-9a-f]{64}\n$/);
      const bad = await berth(t2, ['run', '--pull', 'sometimes', `${reg.host}/lib/bb`]);
      expect(bad.exitCode).toBe(125);
      expect(bad.stderr).toContain(`invalid pull option: 'sometimes'`);
      const missing = await berth(t2, ['run', '--rm', `${reg.host}/lib/nothere:x`, 'true']);
      expect(missing.exitCode).toBe(125);
      expect(missing.stderr).toContain(
        `Error: manifest for ${reg.host}/lib/nothere:x not found: manifest unknown: manifest unknown`,
      );
    } finally {
      t2.cleanup();
    }
  });

  it('bin/berth (the native launcher) hands a run of a missing image to Node, which pulls it', async () => {
    const t2 = tempRoot('berth-launch-pull-');
    try {
      const r = await execa(
        join(REPO, 'bin', 'berth'),
        ['run', '--rm', `${reg.host}/lib/bb:latest`, 'echo', 'pulled'],
        {
          env: t2.env,
          reject: false,
        },
      );
      expect([r.exitCode, r.stdout]).toEqual([0, 'pulled']);
      expect(r.stderr).toContain(`Unable to find image '${reg.host}/lib/bb:latest' locally`);
      // (names with a registry port are always the engine's: the launcher's reference rules leave them to Node)
    } finally {
      t2.cleanup();
    }
  });

  it("a cancelled pull (the app's Esc) stops and leaves nothing; the next pull works", async () => {
    const t2 = tempRoot('berth-pull-cancel-');
    const b = new EmbeddedBackend({ root: t2.root, runroot: t2.runroot });
    try {
      const ac = new AbortController();
      const seen: string[] = [];
      const run = (async () => {
        for await (const m of b.pullImage(`${reg.host}/lib/layers:v1`, { signal: ac.signal })) {
          seen.push(m.status ?? '');
          if (m.status === 'Pulling fs layer') ac.abort();
        }
      })();
      await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(seen).not.toContain('Pull complete');
      expect(await b.listImages()).toEqual([]);
      expect(readdirSync(join(t2.root, 'tmp'))).toEqual([]);
      expect(readdirSync(join(t2.root, 'layers'))).toEqual([]);
      // breaking out of the stream cancels too
      for await (const m of b.pullImage(`${reg.host}/lib/layers:v1`)) if (m.status === 'Pulling fs layer') break;
      expect(await b.listImages()).toEqual([]);
      for await (const _ of b.pullImage(`${reg.host}/lib/layers:v1`)) void _;
      expect((await b.listImages()).map((i) => i.Id)).toEqual([V1_ID]);
    } finally {
      await b.close();
      t2.cleanup();
    }
  });

  it('two processes pulling the same image both succeed and each layer is unpacked once', async () => {
    const t2 = tempRoot('berth-pull-race-');
    try {
      const one = execa('node', [CLI, 'pull', `${reg.host}/lib/layers:v1`], { env: t2.env, reject: false });
      const two = execa('node', [CLI, 'pull', `${reg.host}/lib/layers:v1`], { env: t2.env, reject: false });
      const [a, b] = await Promise.all([one, two]);
      expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
      const completes = (s: string) => (s.match(/: Pull complete$/gm) ?? []).length;
      // three layers, each completed by exactly one of them
      expect(completes(String(a.stdout)) + completes(String(b.stdout))).toBe(3);
      expect(readdirSync(join(t2.root, 'layers'))).toHaveLength(3);
      const check = await berth(t2, ['system', 'check']);
      expect(check.exitCode).toBe(0);
    } finally {
      t2.cleanup();
    }
  });

  it('after kill -9 mid-pull nothing is listed, and the next start sweeps the partial download', async () => {
    const t2 = tempRoot('berth-pull-kill-');
    try {
      const p = execa('node', [CLI, 'pull', `${reg.host}/lib/layers:v1`], { env: t2.env, reject: false });
      // kill as soon as a layer has started downloading (its scratch directory exists)
      const tmp = join(t2.root, 'tmp');
      for (let i = 0; i < 400; i++) {
        if (existsSync(tmp) && readdirSync(tmp).some((n) => n.includes('-pull-'))) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      p.kill('SIGKILL');
      await p;
      const images = await berth(t2, ['images', '-q']);
      expect(images.stdout).toBe('');
      expect(readdirSync(tmp).filter((n) => n.includes('-pull-'))).toEqual([]);
      const r = await berth(t2, ['pull', `${reg.host}/lib/layers:v1`]);
      expect(r.exitCode).toBe(0);
      expect((await berth(t2, ['system', 'check'])).exitCode).toBe(0);
    } finally {
      t2.cleanup();
    }
  });
});

describeIf(peerSkipReason())('berth pull: images pushed by docker', () => {
  let reg: TestRegistry;
  let t: TempRoot;
  beforeAll(async () => {
    reg = await startRegistry();
    t = tempRoot('berth-pull-docker-');
  });
  afterAll(async () => {
    await reg?.stop();
    t?.cleanup();
  });

  it('docker pushes, berth pulls the same image ID and RepoDigest', async () => {
    await pushFixture(reg, layersTar, 'd/layers:v1', { image: 'bb-layers:v1', tool: 'docker' });
    const r = await berth(t, ['pull', `${reg.host}/d/layers:v1`]);
    expect(r.exitCode).toBe(0);
    const docker = await dockerPull(reg, 'd/layers:v1');
    await dockerRemove(`${reg.host}/d/layers:v1`);
    const insp = await berth(t, ['image', 'inspect', '-f', '{{.Id}} {{json .RepoDigests}}', `${reg.host}/d/layers:v1`]);
    expect(insp.stdout.trim()).toBe(`${docker.id} ${JSON.stringify(docker.repoDigests)}`);
  });
});
