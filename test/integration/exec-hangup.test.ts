/**
 * `exec -it` whose terminal goes away (the SSH link drops): the peer docker
 * leaves the exec'd process running, its terminal open, and sends it
 * nothing; berth does the same (berth-monitor exec hands the master to a
 * keeper and ends with 129). The terminal is a pseudo-terminal whose master
 * the test closes (helpers/pty.ts).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/engine.js';
import {
  CLI,
  berth,
  describeIf,
  fixture,
  peerDocker,
  peerSkipReason,
  skipReason,
  tempRoot,
  type TempRoot,
} from '../helpers/env.js';
import { Pty } from '../helpers/pty.js';

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import pty']);
    return true;
  } catch {
    return false;
  }
})();
const reason =
  skipReason() ??
  peerSkipReason() ??
  (hasPython ? null : 'python3 (its pty module drives the terminal) is not installed');

describeIf(reason)('exec -it when its terminal goes away', () => {
  let t: TempRoot;
  const name = `berth-exec-hup-${process.pid}`;

  beforeAll(async () => {
    t = tempRoot('berth-exec-hup-');
    expect((await berth(t, ['load', '-i', fixture('layers.docker-save.tar')])).exitCode).toBe(0);
    expect((await berth(t, ['run', '-d', '--name', name, 'bb', 'sleep', '3600'])).exitCode).toBe(0);
    expect((await peerDocker(['load', '-i', fixture('layers.docker-save.tar')])).exitCode).toBe(0);
    expect((await peerDocker(['run', '-d', '--name', name, 'bb', 'sleep', '3600'])).exitCode).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await berth(t, ['rm', '-f', name]);
    await peerDocker(['rm', '-f', name]);
    t?.cleanup();
  });

  /** Exec a shell, start `sleep <mark>` in it, hang up; returns the exec client's status. */
  const execAndHangUp = async (argv: string[], top: () => Promise<string>, mark: string) => {
    const p = new Pty([...argv, 'exec', '-it', name, 'sh'], { env: t.env, cols: 80, rows: 24 });
    try {
      await p.waitFor(/# $/m);
      p.keys(`sleep ${mark}`, 'Enter');
      await until(async () => (await top()).includes(`sleep ${mark}`), 15_000, 100);
      const exit = await p.hangup();
      return exit.code ?? 128 + exit.signal!;
    } finally {
      await p.close();
    }
  };

  it('leaves the process running, as the peer docker does', async () => {
    const dockerTop = async () => (await peerDocker(['top', name])).stdout;
    const docker = execAndHangUp(
      [process.env.PEER_DOCKER ?? 'docker', '-H', process.env.PEER_DOCKER_HOST!],
      dockerTop,
      '4343',
    );
    expect(await docker).toBe(129); // the docker client dies of the SIGHUP
    const berthTop = async () => (await berth(t, ['top', name])).stdout;
    expect(await execAndHangUp(['node', CLI], berthTop, '4242')).toBe(129);
    // a moment for anything that would end them
    await new Promise((r) => setTimeout(r, 1000));
    expect(await dockerTop()).toContain('sleep 4343');
    expect(await berthTop()).toContain('sleep 4242');
  }, 120_000);
});
