/**
 * Several hosts in one session, on the real embedded engine and the peer
 * dockerd: H opens the hosts list with an overview row per host (running,
 * total and failing containers, CPU and memory), Enter switches, the header
 * names the host shown, and each host's lists keep their own selection and
 * filter across switches.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Backend } from '../../src/client/api.js';
import { DockerBackend } from '../../src/client/docker-api/backend.js';
import { parseHost } from '../../src/client/docker-api/endpoint.js';
import type { HostEntry } from '../../src/client/hosts.js';
import type { BackendChoice } from '../../src/client/open.js';
import { selectedRow } from '../../src/tui/state/selectors.js';
import type { AppState } from '../../src/tui/state/types.js';
import { testEngine, runIn, until, type TestEngine } from '../helpers/engine.js';
import { describeIf, fixture, peerDocker, peerSkipReason, skipReason } from '../helpers/env.js';
import { KEYS, renderHosts, type AppHarness } from '../helpers/tui.js';
import type { HostSet } from '../../src/tui/hosts.js';

const tag = `i18h${process.pid}`;

describeIf(skipReason() ?? peerSkipReason())('several hosts in one session', () => {
  let e: TestEngine;
  let app: (AppHarness & { hosts: HostSet }) | null = null;
  const opened: Backend[] = [];

  beforeAll(async () => {
    e = await testEngine();
    const { id } = await e.b.createContainer({
      image: 'bb',
      name: 'web-a',
      cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'],
    });
    await e.b.startContainer(id);
    await e.b.createContainer({ image: 'bb-layers:v1', name: 'web-b', cmd: ['true'] });
    expect((await runIn(e.b, 'bb', ['sh', '-c', 'exit 3'], { name: 'bad' })).code).toBe(3);
    expect((await peerDocker(['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    await peerDocker(['rm', '-f', `${tag}-p1`, `${tag}-p2`]);
    for (const n of ['p1', 'p2'])
      expect((await peerDocker(['run', '-d', '--name', `${tag}-${n}`, 'bb:latest', 'sleep', '600'])).exitCode).toBe(0);
  }, 60_000);
  afterEach(() => {
    app?.close();
    app = null;
  });
  afterAll(async () => {
    for (const b of opened) await b.close().catch(() => undefined);
    await peerDocker(['rm', '-f', `${tag}-p1`, `${tag}-p2`]);
    await e?.close();
  });

  const peer = () => process.env.PEER_DOCKER_HOST!;
  const entries = (): HostEntry[] => [
    { name: 'local', address: 'embedded', choice: { local: true } },
    { name: 'peer', address: peer(), choice: { host: peer() } },
  ];
  const open = async (choice: BackendChoice): Promise<Backend> => {
    const b = await DockerBackend.open(parseHost(choice.host!));
    opened.push(b);
    return b;
  };
  const state = (i: number): AppState => app!.hosts.views[i]!.services!.store.get();

  it('switches hosts with H; each host keeps its selection and filter; the header names the host', async () => {
    app = await renderHosts(entries(), e.b, open, { columns: 160 });
    const a = app;
    await a.waitFor('[local 1/2]');
    await a.waitFor('web-a');
    // on local: filter the containers with "web-" (web-a, web-b; not bad) and select the second row
    await a.press('1', '/');
    await a.type('web-');
    await a.press(KEYS.enter);
    await a.waitFor(' 2 shown');
    await a.press('j');
    await until(() => state(0).lists.containers.index === 1);
    const localPick = (selectedRow(state(0), 'containers') as { name: string } | null)?.name;
    expect(['web-a', 'web-b']).toContain(localPick);

    // switch to the peer: the header names it, its own list shows, unfiltered
    await a.press('H');
    await a.waitFor('Hosts (2)');
    await a.press('j', KEYS.enter);
    await a.waitFor('[peer 2/2]');
    await a.waitFor(`docker ${peer()}`);
    await a.waitFor(`${tag}-p1`);
    expect(state(1).lists.containers.filter.text).toBe('');
    await a.press('1', '/');
    await a.type(`${tag}-p2`);
    await a.press(KEYS.enter);
    await a.waitFor(' 1 shown');
    expect(a.frame()).not.toContain(`${tag}-p1`);

    // back to local: its filter and selection are as they were
    await a.press('H');
    await a.waitFor('Hosts (2)');
    await a.press('k', KEYS.enter);
    await a.waitFor('[local 1/2]');
    await a.waitFor(' 2 shown');
    expect(state(0).lists.containers.filter.text).toBe('web-');
    expect((selectedRow(state(0), 'containers') as { name: string } | null)?.name).toBe(localPick);
    expect(a.frame()).not.toContain('bad');

    // and to the peer again: its filter is still its own
    await a.press('H');
    await a.waitFor('Hosts (2)');
    await a.press('j', KEYS.enter);
    await a.waitFor('[peer 2/2]');
    await a.waitFor(`${tag}-p2`);
    expect(state(1).lists.containers.filter.text).toBe(`${tag}-p2`);
    expect(a.frame()).not.toContain(`${tag}-p1`);
  });

  it('the overview row per host: running, total and failing containers, CPU and memory', async () => {
    app = await renderHosts(entries(), e.b, open, { columns: 160 });
    const a = app;
    await a.waitFor('web-a');
    await a.press('H');
    await a.waitFor('Hosts (2)');
    // local: web-a runs, web-b was never started, bad exited with 3
    await until(() => {
      const r = a.hosts.overviewRow(0);
      return r.state === 'up' && r.total === 3 && r.cpuPercent !== null && (r.memBytes ?? 0) > 0;
    }, 20_000);
    const local = a.hosts.overviewRow(0);
    expect({ running: local.running, total: local.total, failing: local.failing }).toEqual({
      running: 1,
      total: 3,
      failing: 1,
    });
    await a.waitFor(/\* local\s+1\/3 running · 1 failing · CPU \d+\.\d% · MEM \d/);
    // the peer (other tests may run containers there too): the row agrees with the engine's own list
    await until(async () => {
      const r = a.hosts.overviewRow(1);
      if (r.state !== 'up') return false;
      const b = a.hosts.views[1]!.services!.backend;
      const cs = await b.listContainers({ all: true });
      const running = cs.filter((c) => c.State === 'running').length;
      const failing = cs.filter(
        (c) => c.State === 'dead' || c.State === 'restarting' || (c.State === 'exited' && c.ExitCode !== 0),
      ).length;
      return r.total === cs.length && r.running === running && r.failing === failing && r.running >= 2;
    }, 20_000);
    await a.waitFor(/ peer\s+\d+\/\d+ running · \d+ failing · CPU /);
    // Esc closes the list and the host shown stays
    await a.press(KEYS.escape);
    await until(() => state(0).overlay === null);
    expect(a.frame()).toContain('[local 1/2]');
  });
});
