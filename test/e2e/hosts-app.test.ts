/**
 * The real app in tmux switching hosts: started on the embedded engine, with
 * the peer dockerd named in the config file's `hosts` (a HOME and config
 * directory of the test's own); H opens the hosts list, Enter on the peer
 * shows its containers with the header naming it and its socket, and H again
 * goes back to the embedded engine's containers.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
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
import { Tmux } from '../helpers/tmux.js';

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();
const reason = skipReason() ?? peerSkipReason() ?? (hasTmux ? null : 'tmux is not installed');
const tag = `e2eh${process.pid}`;

describeIf(reason)('the app in a terminal switches hosts', () => {
  let t: TempRoot;
  let tm: Tmux | null = null;
  const home = () => join(t.base, 'home');

  beforeAll(async () => {
    t = tempRoot('berth-e2e-hosts-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    expect((await berth(t, ['create', '--name', `${tag}-local`, 'bb:latest', 'true'])).exitCode).toBe(0);
    expect((await peerDocker(['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    await peerDocker(['rm', '-f', `${tag}-peer`]);
    expect((await peerDocker(['create', '--name', `${tag}-peer`, 'bb:latest', 'true'])).exitCode).toBe(0);
    mkdirSync(join(home(), '.config', 'berth'), { recursive: true });
    writeFileSync(
      join(home(), '.config', 'berth', 'config.json'),
      JSON.stringify({ hosts: { peerd: process.env.PEER_DOCKER_HOST } }),
    );
  }, 60_000);
  afterEach(() => {
    tm?.kill();
    tm = null;
  });
  afterAll(async () => {
    await peerDocker(['rm', '-f', `${tag}-peer`]);
    t?.cleanup();
  });

  it('H, the peer dockerd: its containers and the header naming it; H again: back to the embedded engine', async () => {
    const s = (tm = new Tmux(140, 40));
    s.start({ ...t.env, HOME: home(), XDG_CONFIG_HOME: join(home(), '.config'), NO_COLOR: '' });
    s.line(`cd ${t.base} && node ${CLI}; echo EXITED $?`);
    await s.waitFor(/berth · \[local 1\/2\]/);
    await s.waitFor(`${tag}-local`);
    // the hosts list: the embedded engine and the configured peer
    s.keys('H');
    await s.waitFor('Hosts (2)');
    await s.waitFor('peerd');
    s.keys('j', 'Enter');
    await s.waitFor(/berth · \[peerd 2\/2\] .*docker unix:\/\//);
    expect(s.screen().split('\n')[0]).toContain(`docker ${process.env.PEER_DOCKER_HOST}`);
    // the peer's containers (other suites' too: this one found by name)
    s.keys('1', '/', `${tag}-`, 'Enter');
    await s.waitFor(`${tag}-peer`);
    expect(s.screen()).not.toContain(`${tag}-local`);
    // and back
    s.keys('H');
    await s.waitFor('Hosts (2)');
    s.keys('k', 'Enter');
    await s.waitFor(/berth · \[local 1\/2\]/);
    await s.waitFor(`${tag}-local`);
    expect(s.screen()).not.toContain(`${tag}-peer`);
    s.keys('q');
    await s.waitFor('EXITED 0');
  });
});
