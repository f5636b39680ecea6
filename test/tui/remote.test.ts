/**
 * The app on the remote backend against the peer dockerd: the header names
 * the engine and its endpoint, the lists show the host's containers and
 * images, the Logs tab shows a container's log over the link, and the
 * event feed keeps the list live when another client starts a container.
 * And a feature a backend lacks stays in the help and the Enter menu,
 * disabled with the reason, and its key says the reason instead of running.
 * A dropped link: the header says so and the lists come back; a save
 * under way when the link drops, and a tag sent to a host that went
 * silent, fail in their dialog with one line, and the app answers keys.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { capabilities } from '../../src/client/api.js';
import { DockerBackend } from '../../src/client/docker-api/backend.js';
import { parseHost } from '../../src/client/docker-api/endpoint.js';
import { helpLines } from '../../src/tui/dialogs/HelpOverlay.js';
import { Keymap } from '../../src/tui/keymap/keys.js';
import { DEFAULT_BINDINGS } from '../../src/tui/keymap/bindings.js';
import { describeIf, fixture, peerDocker, peerSkipReason } from '../helpers/env.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/tui.js';
import { until } from '../helpers/engine.js';
import { unixProxy, type UnixProxy } from '../helpers/unix-proxy.js';

const tag = `i18t${process.pid}`;

describeIf(peerSkipReason())('the app on a remote dockerd', () => {
  let b: DockerBackend;
  let app: AppHarness | null = null;

  beforeAll(async () => {
    expect((await peerDocker(['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    await peerDocker(['rm', '-f', `${tag}-a`, `${tag}-b`]);
    const r = await peerDocker([
      'run',
      '-d',
      '--name',
      `${tag}-a`,
      'bb:latest',
      'sh',
      '-c',
      'echo hello-remote; while true; do sleep 1; done',
    ]);
    expect(r.exitCode).toBe(0);
    b = await DockerBackend.open(parseHost(process.env.PEER_DOCKER_HOST!));
  }, 60_000);
  afterEach(() => {
    app?.close();
    app = null;
  });
  afterAll(async () => {
    await peerDocker(['rm', '-f', `${tag}-a`, `${tag}-b`]);
    await b?.close();
  });

  it('header, lists, logs over the link, and the event feed', async () => {
    app = await renderApp(b, { columns: 140 });
    await app.waitFor(`docker ${process.env.PEER_DOCKER_HOST}`);
    await app.waitFor('bb:latest');
    await app.press('1', '/');
    await app.type(tag);
    await app.press(KEYS.enter);
    await app.waitFor(`${tag}-a`);
    await app.waitFor('hello-remote');
    // another client starts a container: the list shows it without a key
    expect((await peerDocker(['run', '-d', '--name', `${tag}-b`, 'bb:latest', 'sleep', '600'])).exitCode).toBe(0);
    await app.waitFor(`${tag}-b`);
  });

  it('the shell an exec opens: the login shell in the container’s /etc/passwd when it is there, else /bin/sh', async () => {
    const ref = `${tag}-a`;
    expect(await b.containerShell(ref)).toBe('/bin/sh');
    const edit = 'cp /bin/sh /bin/ash2 && sed -i "s#^root:\\(.*\\):/bin/sh\\$#root:\\1:/bin/ash2#" /etc/passwd';
    expect((await peerDocker(['exec', ref, 'sh', '-c', edit])).exitCode).toBe(0);
    expect((await peerDocker(['exec', ref, 'cat', '/etc/passwd'])).stdout).toMatch(/^root:.*:\/bin\/ash2$/m);
    expect(await b.containerShell(ref)).toBe('/bin/ash2');
    // a login shell the container does not have
    expect((await peerDocker(['exec', ref, 'sh', '-c', 'rm /bin/ash2'])).exitCode).toBe(0);
    expect(await b.containerShell(ref)).toBe('/bin/sh');
  });

  it('the stats of every running container: one that starts joins, one that stops drops out', async () => {
    const ac = new AbortController();
    const seen: string[][] = [];
    const reading = (async () => {
      for await (const batch of b.allStats({ intervalMs: 500, signal: ac.signal })) seen.push(batch.map((s) => s.name));
    })();
    try {
      await until(() => seen.some((names) => names.includes(`${tag}-a`)), 20_000);
      await peerDocker(['rm', '-f', `${tag}-s`]);
      expect((await peerDocker(['run', '-d', '--name', `${tag}-s`, 'bb:latest', 'sleep', '600'])).exitCode).toBe(0);
      await until(() => seen.at(-1)!.includes(`${tag}-s`), 20_000);
      expect((await peerDocker(['rm', '-f', `${tag}-s`])).exitCode).toBe(0);
      await until(() => !seen.at(-1)!.includes(`${tag}-s`), 20_000);
    } finally {
      ac.abort();
      await reading;
      await peerDocker(['rm', '-f', `${tag}-s`]);
    }
  });

  it('a dropped link: the app says so, takes the link up again and the lists go on', async () => {
    const proxy = await unixProxy(process.env.PEER_DOCKER_HOST!.slice('unix://'.length));
    const viaProxy = await DockerBackend.open(parseHost(proxy.url));
    try {
      app = await renderApp(viaProxy, { columns: 140 });
      await app.press('1', '/');
      await app.type(tag);
      await app.press(KEYS.enter);
      await app.waitFor(`${tag}-a`);
      await peerDocker(['rm', '-f', `${tag}-c`]);
      proxy.drop();
      await app.waitFor(/lost the connection to the engine at unix:\/\/\S+: .*reconnecting in 1s/);
      // the header says so, not only the footer
      expect(app.frame().split('\n')[0]).toMatch(/berth .*link down, reconnecting/);
      expect(app.services.store.get().linkDown).toMatch(/^lost the connection to the engine at unix:/);
      expect((await peerDocker(['run', '-d', '--name', `${tag}-c`, 'bb:latest', 'sleep', '600'])).exitCode).toBe(0);
      await app.waitFor(`${tag}-c`);
      await app.waitFor((f) => !f.split('\n')[0]!.includes('link down'));
      expect(app.services.store.get().linkDown).toBe(null);
    } finally {
      app?.close();
      app = null;
      await viaProxy.close();
      await proxy.close();
      await peerDocker(['rm', '-f', `${tag}-c`]);
    }
  });
});

describeIf(peerSkipReason())('a dialog in progress when the link goes', () => {
  let work = '';
  let proxy: UnixProxy;
  let viaProxy: DockerBackend | null = null;
  let app: AppHarness | null = null;

  beforeAll(async () => {
    expect((await peerDocker(['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    work = mkdtempSync(join(tmpdir(), 'berth-remote-dialog-'));
  });
  afterEach(async () => {
    app?.close();
    app = null;
    await viaProxy?.close();
    viaProxy = null;
    await proxy?.close();
  });
  afterAll(async () => {
    // the silent host did the tag: only its answer was held
    await peerDocker(['rmi', `${tag}:silent`]);
    rmSync(work, { recursive: true, force: true });
  });

  /** The app on the peer through a relay the test breaks, with bb:latest selected in the Images list. */
  const open = async (o: { requestTimeoutMs?: number } = {}) => {
    proxy = await unixProxy(process.env.PEER_DOCKER_HOST!.slice('unix://'.length));
    viaProxy = await DockerBackend.open(parseHost(proxy.url), '', o);
    app = await renderApp(viaProxy, { columns: 140, cwd: work });
    await app.waitFor(/\d+ images/);
    await app.press('2', '/');
    await app.type('bb:latest');
    await app.press(KEYS.enter);
    await app.waitFor(/"bb:latest"/);
    return app;
  };
  /** The dialog's failure: one line, and the app goes on answering keys. */
  const failedAndAlive = async (a: AppHarness, why: RegExp) => {
    const formError = () => (a.services.store.get().overlay as { error?: string | null } | null)?.error ?? '';
    await a.waitFor(() => why.test(formError()), 20_000);
    // (drawn wrapped in the dialog, beside the lists: its first words on one row)
    await a.waitFor('lost the connection to the engine at');
    const form = a.services.store.get().overlay as { error: string | null; busy: unknown };
    expect(form.error).toMatch(why);
    expect(form.error!.split('\n')).toHaveLength(1);
    expect(form.busy).toBe(null);
    await a.press(KEYS.escape);
    // (the footer may say the same: the lists' loads meet the same link)
    await a.waitFor(() => a.services.store.get().overlay === null);
    await a.press('1');
    await a.waitFor(() => a.services.store.get().focus === 'containers');
    await a.press('?');
    await a.waitFor(() => a.services.store.get().overlay?.kind === 'help');
    await a.press(KEYS.escape);
    await a.waitFor(() => a.services.store.get().overlay === null);
  };

  it('a save the link drops under: the dialog says why in one line, leaves no file, and the app answers keys', async () => {
    const a = await open();
    // the save's answer is held partway: it is waiting on the link when the link drops
    proxy.holdAfter(300_000);
    await a.press('S');
    await a.waitFor('Save images: bb:latest');
    await a.press(KEYS.enter);
    await until(() => readdirSync(work).some((f) => f.endsWith('.partial') && statSync(join(work, f)).size > 100_000));
    proxy.drop();
    proxy.holdAfter(Infinity);
    await failedAndAlive(a, /lost the connection to the engine at unix:\/\/\S+: /);
    expect(readdirSync(work)).toEqual([]);
  });

  it('a host that takes a request and goes silent: the tag dialog fails when the answer is overdue', async () => {
    const a = await open({ requestTimeoutMs: 2_000 });
    proxy.holdAfter(0);
    await a.press('t');
    await a.waitFor('Tag image');
    await a.press(KEYS.ctrlU);
    await a.type(`${tag}:silent`);
    await a.press(KEYS.enter);
    await failedAndAlive(a, /lost the connection to the engine at unix:\/\/\S+: no answer within 2s/);
    proxy.drop();
    proxy.holdAfter(Infinity);
  });
});

describe('a feature the backend lacks', () => {
  it('stays in the help, disabled with the reason', () => {
    const keymap = new Keymap(DEFAULT_BINDINGS);
    const caps = capabilities({ exec: 'the engine has no exec', registry: 'no registry here' });
    const lines = helpLines(keymap, false, caps).filter((l) => l.disabled);
    expect(lines.map((l) => l.text.trim())).toEqual([
      expect.stringMatching(/^E\s+Exec a shell.*\(unavailable: the engine has no exec\)$/),
      expect.stringMatching(/Pull .*\(unavailable: no registry here\)$/),
      expect.stringMatching(/Push .*\(unavailable: no registry here\)$/),
      expect.stringMatching(/Search .*\(unavailable: no registry here\)$/),
    ]);
    expect(helpLines(keymap, false).some((l) => l.disabled)).toBe(false);
  });
});
