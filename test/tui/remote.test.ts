/**
 * The app on the remote backend against the peer dockerd: the header names
 * the engine and its endpoint, the lists show the host's containers and
 * images, the Logs tab shows a container's log over the link, and the
 * event feed keeps the list live when another client starts a container.
 * And a feature a backend lacks stays in the help and the Enter menu,
 * disabled with the reason, and its key says the reason instead of running.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { capabilities } from '../../src/client/api.js';
import { DockerBackend } from '../../src/client/docker-api/backend.js';
import { parseHost } from '../../src/client/docker-api/endpoint.js';
import { helpLines } from '../../src/tui/dialogs/HelpOverlay.js';
import { Keymap } from '../../src/tui/keymap/keys.js';
import { DEFAULT_BINDINGS } from '../../src/tui/keymap/bindings.js';
import { describeIf, fixture, peerDocker, peerSkipReason } from '../helpers/env.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/tui.js';
import { unixProxy } from '../helpers/unix-proxy.js';

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
      expect((await peerDocker(['run', '-d', '--name', `${tag}-c`, 'bb:latest', 'sleep', '600'])).exitCode).toBe(0);
      await app.waitFor(`${tag}-c`);
    } finally {
      app?.close();
      app = null;
      await viaProxy.close();
      await proxy.close();
      await peerDocker(['rm', '-f', `${tag}-c`]);
    }
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
