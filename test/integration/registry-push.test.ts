/**
 * berth push to a real registry, read back by docker, skopeo and podman with
 * the same image ID and RepoDigest; what the registry has is not sent again,
 * a blob of another repository is mounted, and a layer is compressed once
 * however many registries it goes to.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, describeIf, fixture, peerSkipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { V0_ID, V1_ID } from '../helpers/facts.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { dockerPull, dockerRemove, podmanPull, podmanStore, skopeoImage } from '../helpers/registry-peers.js';

describeIf(peerSkipReason())('push', () => {
  let reg: TestRegistry;
  let reg2: TestRegistry;
  let t: TempRoot;
  beforeAll(async () => {
    [reg, reg2] = await Promise.all([startRegistry(), startRegistry()]);
    t = tempRoot('berth-push-');
    expect((await berth(t, ['load', '-i', fixture('layers.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(async () => {
    await Promise.all([reg?.stop(), reg2?.stop()]);
    t?.cleanup();
  });

  it("pushes with docker's output; docker, skopeo and podman pull the same ID and RepoDigest", async () => {
    const name = `${reg.host}/p/layers:v1`;
    await berth(t, ['tag', 'bb-layers:v1', name]);
    const r = await berth(t, ['push', name]);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`The push refers to repository [${reg.host}/p/layers]`);
    expect(lines.filter((l) => l.endsWith(': Preparing'))).toHaveLength(3);
    expect(lines.filter((l) => l.endsWith(': Pushed'))).toHaveLength(3);
    const remote = await skopeoImage(reg, 'p/layers:v1');
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^v1: digest: ${remote.digest} size: \\d+$`));
    expect(remote.id).toBe(V1_ID);
    const ours = await berth(t, ['image', 'inspect', '-f', '{{json .RepoDigests}}', name]);
    const mine = JSON.parse(ours.stdout) as string[];
    expect(mine).toContain(`${reg.host}/p/layers@${remote.digest}`);
    const docker = await dockerPull(reg, 'p/layers:v1');
    await dockerRemove(name);
    expect(docker).toEqual({ id: V1_ID, repoDigests: [`${reg.host}/p/layers@${remote.digest}`] });
    const store = podmanStore();
    try {
      const podman = await podmanPull(reg, 'p/layers:v1', store);
      expect(podman.id).toBe(V1_ID);
      expect(podman.repoDigests).toContain(`${reg.host}/p/layers@${remote.digest}`);
    } finally {
      store.cleanup();
    }
    const ev = await berth(t, [
      'events',
      '--since',
      '0',
      '--until',
      '0s',
      '--filter',
      'event=push',
      '--format',
      '{{.Actor.ID}}',
    ]);
    expect(ev.stdout).toBe(`${name}\n`);
  });

  it('a second push sends nothing the registry has; another repository mounts; a layer is compressed once', async () => {
    const blobs = () => readdirSync(join(t.root, 'blobs', 'sha256')).length;
    const before = blobs();
    const again = await berth(t, ['push', `${reg.host}/p/layers:v1`]);
    expect(again.stdout.match(/: Layer already exists$/gm)).toHaveLength(3);
    const other = `${reg.host}/other/layers:v1`;
    await berth(t, ['tag', 'bb-layers:v1', other]);
    const mounted = await berth(t, ['push', other]);
    expect(mounted.stdout.match(/: Mounted from p\/layers$/gm)).toHaveLength(3);
    // another registry: the kept gzip copies go as they are, so the digests are the same
    const elsewhere = `${reg2.host}/p/layers:v1`;
    await berth(t, ['tag', 'bb-layers:v1', elsewhere]);
    const r2 = await berth(t, ['push', elsewhere]);
    expect(r2.stdout.match(/: Pushed$/gm)).toHaveLength(3);
    expect(blobs()).toBe(before + 0 + 0); // nothing new compressed (manifests are shared: same bytes)
    const a = await skopeoImage(reg, 'p/layers:v1');
    const b = await skopeoImage(reg2, 'p/layers:v1');
    expect(b.digest).toBe(a.digest);
  });

  it("push -a pushes every tag; -q prints the name only; a missing tag is docker's message", async () => {
    await berth(t, ['tag', 'bb-layers:v0', `${reg.host}/all/layers:v0`]);
    await berth(t, ['tag', 'bb-layers:v1', `${reg.host}/all/layers:v1`]);
    const r = await berth(t, ['push', '-a', `${reg.host}/all/layers`]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^v0: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    expect(r.stdout).toMatch(/^v1: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    expect((await skopeoImage(reg, 'all/layers:v0')).id).toBe(V0_ID);
    const q = await berth(t, ['push', '-q', `${reg.host}/all/layers:v1`]);
    expect([q.exitCode, q.stdout]).toEqual([0, `${reg.host}/all/layers:v1\n`]);
    const missing = await berth(t, ['push', `${reg.host}/nothing/here:v9`]);
    expect([missing.exitCode, missing.stderr]).toEqual([
      1,
      `Error: An image does not exist locally with the tag: ${reg.host}/nothing/here\n`,
    ]);
  });

  it('rmi removes the kept compressed copies and manifests with the last image of a layer', async () => {
    const t2 = tempRoot('berth-push-rmi-');
    try {
      await berth(t2, ['load', '-i', fixture('busybox.docker-save.tar')]);
      const name = `${reg.host}/rmi/bb:1`;
      await berth(t2, ['tag', 'bb:latest', name]);
      expect((await berth(t2, ['push', name])).exitCode).toBe(0);
      expect((await berth(t2, ['system', 'check'])).exitCode).toBe(0);
      await berth(t2, ['rmi', '-f', 'bb:latest', name]);
      expect((await berth(t2, ['images', '-q'])).stdout).toBe('');
      expect(readdirSync(join(t2.root, 'blobs', 'sha256'))).toEqual([]);
    } finally {
      t2.cleanup();
    }
  });
});
