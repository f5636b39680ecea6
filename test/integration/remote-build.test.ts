/**
 * `berth -H ... build` (remote-build-suite.ts) against the peer dockerd,
 * against a podman service this test starts on a socket of its own, and
 * against berth's own service (`berth system service` on a temporary root).
 */
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiService, type ApiService } from '../helpers/api-service.js';
import { until } from '../helpers/engine.js';
import { berth, describeIf, peerSkipReason, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { remoteBuildSuite } from './remote-build-suite.js';

describeIf(peerSkipReason())('berth -H build against the peer dockerd', () =>
  remoteBuildSuite({
    start: async () => process.env.PEER_DOCKER_HOST!,
    stop: async () => undefined,
    failStatus: 3,
    namesRunContainer: true,
  }),
);

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
  });
});
