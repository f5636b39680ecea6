/**
 * `berth -H ... build` (remote-build-suite.ts) against the peer dockerd,
 * against a podman service this test starts on a socket of its own, and
 * against berth's own service (`berth system service` on a temporary root).
 */
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiService, type ApiService } from '../helpers/api-service.js';
import { until } from '../helpers/engine.js';
import { afterAll, expect, it } from 'vitest';
import {
  berth,
  describeIf,
  fixture,
  peerDocker,
  peerSkipReason,
  skipReason,
  tempRoot,
  type TempRoot,
} from '../helpers/env.js';
import { remoteBuildSuite } from './remote-build-suite.js';

describeIf(peerSkipReason())('berth -H build against the peer dockerd', () =>
  remoteBuildSuite({
    start: async () => process.env.PEER_DOCKER_HOST!,
    stop: async () => undefined,
    failStatus: 3,
    namesRunContainer: true,
  }),
);

describeIf(peerSkipReason())('berth -H build --pull of a base in a registry, against the peer dockerd', () => {
  const repo = `${process.env.PEER_REGISTRY}/rbuild${process.pid}/bb`;
  const docker = (args: string[]) => peerDocker(args);
  afterAll(async () => {
    await docker(['rmi', '-f', `${repo}:1`, `rbpull${process.pid}:1`]);
  });

  it('shows the pull’s status lines as the docker CLI does', async () => {
    expect((await docker(['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    expect((await docker(['tag', 'bb:latest', `${repo}:1`])).exitCode).toBe(0);
    expect((await docker(['push', `${repo}:1`])).exitCode).toBe(0);
    expect((await docker(['rmi', `${repo}:1`])).exitCode).toBe(0);
    const ctx = mkdtempSync(join(tmpdir(), 'berth-rbuild-pull-'));
    try {
      writeFileSync(join(ctx, 'Dockerfile'), `FROM ${repo}:1\nRUN echo on-the-pulled-base\n`);
      const b = await berth({ env: {} }, [
        '-H',
        process.env.PEER_DOCKER_HOST!,
        'build',
        '--pull',
        '-t',
        `rbpull${process.pid}:1`,
        ctx,
      ]);
      expect(b.exitCode, b.stderr).toBe(0);
      expect(b.stdout).toContain(`Step 1/2 : FROM ${repo}:1\n1: Pulling from rbuild${process.pid}/bb\nDigest: sha256:`);
      expect(b.stdout).toContain(`Status: Downloaded newer image for ${repo}:1\n ---> 6aa4265b18c5\n`);
      expect(b.stdout).toMatch(/^on-the-pulled-base$/m);
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  }, 120_000);
});

describeIf(peerSkipReason())('berth -H build against podman system service', () => {
  let dir = '';
  let service: ResultPromise | null = null;
  remoteBuildSuite({
    async start() {
      dir = mkdtempSync(join(tmpdir(), 'berth-rbuild-podman-'));
      const url = `unix://${join(dir, 'podman.sock')}`;
      service = execa(process.env.PEER_PODMAN ?? 'podman', ['system', 'service', '--time=0', url], { reject: false });
      await until(async () => (await berth({ env: {} }, ['-H', url, 'version'])).exitCode === 0, 30_000, 100);
      return url;
    },
    async stop() {
      service?.kill('SIGTERM');
      await service;
      rmSync(dir, { recursive: true, force: true });
    },
    // podman's service names no exit code in its error: the docker CLI exits 1 too
    failStatus: 1,
    prune: 'missing',
  });
});

describeIf(skipReason() ?? peerSkipReason())('berth -H build against berth system service', () => {
  let t: TempRoot | null = null;
  let svc: ApiService | null = null;
  remoteBuildSuite({
    async start() {
      t = tempRoot('berth-rbuild-svc-');
      svc = await startApiService(t);
      return svc.host;
    },
    async stop() {
      await svc?.stop();
      t?.cleanup();
    },
    failStatus: 3,
    prune: 'prunes',
  });
});
