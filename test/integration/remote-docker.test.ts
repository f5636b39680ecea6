/**
 * The remote backend against the real peer dockerd (its private socket), the
 * suite in remote-suite.ts; and against a podman service this test starts on
 * a socket of its own: load, run, ps, logs, exec, stats, commit and save.
 */
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, describeIf, fixture, peerSkipReason } from '../helpers/env.js';
import { until } from '../helpers/engine.js';
import { remoteBackendSuite } from './remote-suite.js';

const tag = `i18p${process.pid}`;
const none = { env: {} };

describeIf(peerSkipReason())('berth -H against the peer dockerd', () =>
  remoteBackendSuite({ start: async () => process.env.PEER_DOCKER_HOST!, stop: async () => undefined }),
);

describeIf(peerSkipReason())('berth -H against podman system service', () => {
  let dir = '';
  let service: ResultPromise | null = null;
  const url = () => `unix://${join(dir, 'podman.sock')}`;
  const remote = (args: string[], o: Parameters<typeof berth>[2] = {}) => berth(none, ['-H', url(), ...args], o);
  const name = `${tag}-p`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-podman-'));
    service = execa(process.env.PEER_PODMAN ?? 'podman', ['system', 'service', '--time=0', url()], { reject: false });
    await until(async () => (await remote(['version'])).exitCode === 0, 30_000, 100);
  }, 60_000);
  afterAll(async () => {
    await remote(['rm', '-f', name]);
    service?.kill('SIGTERM');
    await service;
    rmSync(dir, { recursive: true, force: true });
  });

  it('load, run, ps, logs, exec, stats, commit, save', async () => {
    expect((await remote(['version'])).stdout).toMatch(/Engine:\s+podman /);
    expect((await remote(['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    const run = await remote([
      'run',
      '-d',
      '--name',
      name,
      'bb:latest',
      'sh',
      '-c',
      'echo hello; echo oops >&2; sleep 600',
    ]);
    expect(run.exitCode).toBe(0);
    const id = run.stdout.trim();
    await until(async () => (await remote(['logs', name])).stdout === 'hello\n');
    const logs = await remote(['logs', name]);
    expect(logs.stderr).toBe('oops\n');
    const ps = await remote(['ps', '--no-trunc']);
    expect(ps.stdout.split('\n').find((l) => l.startsWith(id))).toMatch(/Up .*\s+\S+-p$/);
    const ex = await remote(['exec', '-i', name, 'sh', '-c', 'cat; exit 5'], { input: 'via podman\n' });
    expect([ex.stdout, ex.exitCode]).toEqual(['via podman\n', 5]);
    const stats = await remote(['stats', '--no-stream', name]);
    expect(stats.stdout).toMatch(new RegExp(`^${id.slice(0, 12)}\\s+${name}\\s`, 'm'));
    const c = await remote(['commit', name, `${tag}-p:c1`]);
    expect(c.exitCode).toBe(0);
    const out = join(dir, 'p.tar');
    expect((await remote(['save', '-o', out, `${tag}-p:c1`])).exitCode).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect((await remote(['rmi', `${tag}-p:c1`])).exitCode).toBe(0);
  });
});
