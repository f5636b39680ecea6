/**
 * The app's build dialog on the remote backend against the peer dockerd:
 * the fixture context (test/fixtures/remote-build) sent over the link, the
 * dialog drawing the upload and the classic builder's steps (each with its
 * time), the image built there with the dialog's tag and build argument and
 * selected in Images; a failing RUN keeps the dialog with the engine's one
 * line and the failed step marked.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { DockerBackend } from '../../src/client/docker-api/backend.js';
import { parseHost } from '../../src/client/docker-api/endpoint.js';
import { describeIf, fixture, FIXTURES, peerDocker, peerSkipReason } from '../helpers/env.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/tui.js';

const tag = `rbapp${process.pid}`;

describeIf(peerSkipReason())('the app builds on a remote dockerd', () => {
  let b: DockerBackend;
  let app: AppHarness | null = null;

  beforeAll(async () => {
    expect((await peerDocker(['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    b = await DockerBackend.open(parseHost(process.env.PEER_DOCKER_HOST!));
  }, 60_000);
  afterEach(() => {
    app?.close();
    app = null;
  });
  afterAll(async () => {
    await peerDocker(['rmi', '-f', `${tag}:1`]);
    await b?.close();
  });

  const open = async () => {
    app = await renderApp(b, { cwd: FIXTURES, columns: 140, rows: 45 });
    await app.waitFor(/Images\s+\d+/);
    await app.press('2');
    await app.waitFor(/REPOSITORY:TAG/);
    return app;
  };
  /** Every step display the dialog was given. */
  const outputs = (a: AppHarness) => {
    const seen: string[] = [];
    a.services.store.subscribe(() => {
      const o = a.services.store.get().overlay;
      if (o?.kind === 'form' && o.output) seen.push([o.output.header, ...o.output.rows.map((r) => r.text)].join('\n'));
    });
    return seen;
  };

  it('sends the context, draws the steps, builds with the tag and argument, and selects the image', async () => {
    expect(b.capabilities().build.ok).toBe(true);
    const a = await open();
    const shown = outputs(a);
    await a.press('b');
    await a.waitFor('Build an image');
    await a.press(KEYS.ctrlU);
    await a.type('remote-build');
    await a.press(KEYS.down, KEYS.down);
    await a.type(`${tag}:1`);
    await a.press(KEYS.down);
    await a.type('GREETING=from-the-app');
    await a.press(KEYS.ctrlS);
    await a.waitFor(new RegExp(`built ${tag}:1 \\([0-9a-f]{12}\\)`), 60_000);
    const last = shown.at(-1)!;
    expect(last).toMatch(/^\[\+\] Building \d+\.\d+s \(9\/9\) FINISHED/);
    expect(last).toMatch(/^=> sending context \d/m);
    expect(last).toMatch(/^=> Step 1\/9 : FROM bb:latest$/m);
    expect(last).toMatch(/^=> Step 7\/9 : RUN echo "greeting=\$GREETING" > \/data\/args\.txt && echo "ran RUN"$/m);
    await a.waitFor(`│ ${tag}:1 │ Inspect`);
    const run = await peerDocker(['run', '--rm', `${tag}:1`, 'cat', '/data/args.txt']);
    expect(run.stdout.trim()).toBe('greeting=from-the-app');
  }, 120_000);

  it('a failing RUN keeps the dialog with the engine’s line and the failed step', async () => {
    const a = await open();
    await a.press('b');
    await a.waitFor('Build an image');
    await a.press(KEYS.ctrlU);
    await a.type('remote-build');
    await a.press(KEYS.down);
    await a.type('remote-build/Dockerfile.fail');
    await a.press(KEYS.ctrlS);
    const failed = await a.waitFor(/non-zero code: 3/, 60_000);
    expect((a.services.store.get().overlay as { error: string }).error).toBe(
      "The command '/bin/sh -c echo before the failure && exit 3' returned a non-zero code: 3",
    );
    expect(failed).toContain('Build an image');
    expect(failed).toMatch(/=> ERROR Step 2\/2 : RUN echo before the failure/);
    expect(failed).toMatch(/=> => # before the failure/);
    await a.press(KEYS.escape);
    await a.waitFor((f) => !f.includes('Build an image'));
  }, 120_000);
});
