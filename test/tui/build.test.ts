/**
 * The app's build dialog with ink-testing-library, on the real engine (a
 * temporary root with the fixture images, RUN steps as real containers):
 * the key in the Enter menu and the help, the checks before anything is
 * built, Tab completing the context (directories) and the Dockerfile; a
 * build's steps drawn live in the dialog, the running step's output among
 * them; Esc during a RUN cancelling with nothing left (no image, container,
 * mount, monitor or scratch file); a build with tags and build arguments
 * whose image is then selected in Images, and built again from the cache;
 * a failing RUN keeping the dialog with its lines and drawing none of its
 * output's escape sequences.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { describeIf, skipReason } from '../helpers/env.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/tui.js';

/** What is left of a frame after the renderer's own SGR colour codes. */
const controlsIn = (frame: string) =>
  frame.replace(/\x1b\[[0-9;]*m/g, '').match(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g) ?? [];

describeIf(skipReason())('the app builds images', () => {
  let e: TestEngine;
  let work: string;
  let app: AppHarness | null = null;
  const saved = process.env.BERTH_APP_BUILD_W;

  beforeAll(async () => {
    e = await testEngine();
    work = mkdtempSync(join(tmpdir(), 'berth-app-build-'));
    const file = (rel: string, data: string) => {
      mkdirSync(join(work, rel, '..'), { recursive: true });
      writeFileSync(join(work, rel), data);
    };
    // app/ and apples.txt: Tab in the context field completes the directory only
    file(
      'app/Dockerfile',
      [
        'FROM bb',
        'ARG V',
        'ARG BERTH_APP_BUILD_W',
        'ARG BERTH_APP_BUILD_UNSET=default',
        'ENV FROMARG=$V FROMENV=$BERTH_APP_BUILD_W UNSET=$BERTH_APP_BUILD_UNSET',
        'COPY hello.txt /hello.txt',
        'RUN echo "made with $V" > /made',
        'CMD ["cat", "/made"]',
        '',
      ].join('\n'),
    );
    file('app/hello.txt', 'hello\n');
    file('app/other.Dockerfile', 'FROM bb\nLABEL from=other\n');
    file('apples.txt', 'not a directory\n');
    file('slow/Dockerfile', 'FROM bb\nRUN echo step-started && sleep 122\nRUN echo never\n');
    file(
      'fails/Dockerfile',
      "FROM bb\nRUN echo first line && printf 'bad\\033]0;pwned\\007\\033[2J\\233x end\\n' && exit 3\n",
    );
    process.env.BERTH_APP_BUILD_W = 'from-the-environment';
  });
  afterEach(() => {
    app?.close();
    app = null;
  });
  afterAll(async () => {
    await e?.close();
    rmSync(work, { recursive: true, force: true });
    if (saved === undefined) delete process.env.BERTH_APP_BUILD_W;
    else process.env.BERTH_APP_BUILD_W = saved;
  });

  const open = async () => {
    app = await renderApp(e.b, { cwd: work, columns: 130, rows: 40 });
    await app.waitFor(/\d+ images/);
    await app.press('2');
    await app.waitFor(/REPOSITORY:TAG/);
    return app;
  };
  /** Open the dialog and put `context` in its first field. */
  const dialog = async (a: AppHarness, context: string) => {
    await a.press('b');
    await a.waitFor('Build an image');
    await a.press(KEYS.ctrlU);
    await a.type(context);
  };
  /** Every step display the dialog was given (the frames drawn may skip some; the state has each one). */
  const outputs = (a: AppHarness) => {
    const seen: string[] = [];
    a.services.store.subscribe(() => {
      const o = a.services.store.get().overlay;
      if (o?.kind === 'form' && o.output) seen.push([o.output.header, ...o.output.rows.map((r) => r.text)].join('\n'));
    });
    return seen;
  };
  const imageIds = async () => (await e.b.listImages({ all: true })).map((i) => i.Id).sort();
  /** What a build may leave in the store or the run directory while running: scratch, containers, layers. */
  const leftovers = () =>
    Object.fromEntries(
      [
        ['tmp', join(e.t.root, 'tmp')],
        ['layers', join(e.t.root, 'layers')],
        ['containers', join(e.t.runroot, 'c')],
      ].map(([k, p]) => [k, existsSync(p!) ? readdirSync(p!).sort() : []]),
    );

  it('has its key in the Enter menu and the help, checks the fields, and Tab completes the paths', async () => {
    const a = await open();
    await a.press(KEYS.enter);
    await a.waitFor('Actions:');
    expect(a.frame()).toMatch(/b\s+Build from a Dockerfile/);
    await a.press(KEYS.escape, '?');
    await a.waitFor('Keys (');
    const inHelp = /b\s+Build from a Dockerfile \(steps shown live; Esc cancels\)/;
    for (let i = 0; i < 60 && !inHelp.test(a.frame()); i++) await a.press('j');
    expect(a.frame()).toMatch(inHelp);
    await a.press('?');
    await a.waitFor((f) => !f.includes('Keys ('));
    const before = await imageIds();

    await a.press('b');
    const opened = await a.waitFor('Build an image');
    for (const l of ['Context', 'Dockerfile', 'Tags', 'Build args', 'No cache']) expect(opened).toContain(l);
    // the context: "ap" completes to the directory, not to apples.txt
    await a.press(KEYS.ctrlU);
    await a.type('ap');
    await a.press(KEYS.tab);
    await a.waitFor(/Context\s+app\//);
    // a context that is not there, then a Dockerfile that is not there, then a bad tag: nothing is built
    await a.press(KEYS.ctrlU);
    await a.type('nowhere');
    await a.press(KEYS.enter);
    await a.waitFor(`${join(work, 'nowhere')}: no such directory`);
    await a.press(KEYS.ctrlU);
    await a.type('apples.txt');
    await a.press(KEYS.enter);
    await a.waitFor(`${join(work, 'apples.txt')} is not a directory`);
    await a.press(KEYS.ctrlU);
    await a.type('app');
    // the Dockerfile (the next field: down, as Tab completes here): Tab completes a file name
    await a.press(KEYS.down);
    await a.type('app/oth');
    await a.press(KEYS.tab);
    await a.waitFor(/Dockerfile\s+app\/other\.Dockerfile/);
    await a.press(KEYS.ctrlU);
    await a.type('app/missing.Dockerfile');
    await a.press(KEYS.enter);
    await a.waitFor(`${join(work, 'app/missing.Dockerfile')}: no such file`);
    await a.press(KEYS.ctrlU, KEYS.down);
    await a.type('Bad:Name');
    await a.press(KEYS.enter);
    await a.waitFor('invalid reference format');
    await a.press(KEYS.escape);
    await a.waitFor((f) => !f.includes('Build an image'));
    expect(await imageIds()).toEqual(before);
  });

  it(
    "draws the steps live with the running step's output; Esc during the RUN leaves nothing behind",
    { timeout: 120_000 },
    async () => {
      const images = await imageIds();
      const left = leftovers();
      const a = await open();
      await dialog(a, 'slow');
      await a.press(KEYS.down, KEYS.down);
      await a.type('cancelled:1');
      await a.press(KEYS.enter);
      // buildx's header, the RUN step running with its first line of output under it
      const running = await a.waitFor((f) => /=> => # step-started/.test(f), 60_000);
      expect(running).toMatch(/\[\+\] Building \d+\.\d+s \(\d+\/\d+\)/);
      expect(running).toMatch(/=> \[1\/3\] FROM docker\.io\/library\/bb(:latest)?\s+\d+\.\d+s/);
      expect(running).toMatch(/=> \[2\/3\] RUN echo step-started && sleep 122\s+\d+\.\d+s/);
      expect(running).toContain('Esc cancels');
      await a.press(KEYS.escape);
      await a.waitFor('building slow: cancelled; nothing was left behind', 30_000);
      expect(a.frame()).not.toContain('Build an image');
      // nothing of it: no image, no scratch, no layer, no container, no mount, no monitor, no process
      expect(await imageIds()).toEqual(images);
      expect(await e.b.listContainers({ all: true })).toEqual([]);
      expect(leftovers()).toEqual(left);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(e.t.root);
      const monitors = await execa('pgrep', ['-f', `berth-monitor.*${e.t.root}`], { reject: false });
      expect(monitors.stdout).toBe('');
      const sleeping = await execa('pgrep', ['-f', 'sleep 122'], { reject: false });
      for (const pid of sleeping.stdout.split('\n').filter(Boolean)) {
        let mounts = '';
        try {
          mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
        } catch {
          continue; // gone meanwhile
        }
        expect(mounts).not.toContain(e.t.root);
      }
    },
  );

  it(
    'builds with tags and build arguments, selects the image in Images, and builds it again from the cache',
    { timeout: 120_000 },
    async () => {
      const a = await open();
      const shown = outputs(a);
      await dialog(a, 'app');
      await a.press(KEYS.down, KEYS.down);
      await a.type('built/app:1 built/app:extra');
      await a.press(KEYS.down);
      await a.type('V=the-dialog');
      await a.press(KEYS.enter);
      // a name alone takes its value from the environment, as --build-arg NAME does (none: left out)
      await a.type('BERTH_APP_BUILD_UNSET');
      await a.press(KEYS.enter);
      await a.type('BERTH_APP_BUILD_W');
      await a.press(KEYS.ctrlS);
      await a.waitFor(/built built\/app:1, built\/app:extra \([0-9a-f]{12}\)/, 60_000);
      // the dialog was given the steps from the start (the live RUN: the test above), then all done (BuildKit's
      // names: variables expanded)
      expect(shown[0]).toMatch(/^\[\+\] Building \d+\.\d+s \(0\/0\)$/);
      expect(shown.at(-1)).toMatch(/=> \[3\/3\] RUN echo "made with the-dialog" > \/made$/m);
      expect(shown.at(-1)).toMatch(/^\[\+\] Building \d+\.\d+s \(\d+\/\d+\) FINISHED/);
      expect(shown.at(-1)).toMatch(/=> \[2\/3\] COPY hello\.txt \/hello\.txt$/m);
      await a.waitFor('│ built/app:1 │ Inspect');
      const img = (await e.b.inspectImage('built/app:1')) as { Id: string; Config: { Env: string[]; Cmd: string[] } };
      expect(img.Config.Env).toEqual(
        expect.arrayContaining(['FROMARG=the-dialog', 'FROMENV=from-the-environment', 'UNSET=default']),
      );
      expect(img.Config.Cmd).toEqual(['cat', '/made']);
      expect(((await e.b.inspectImage('built/app:extra')) as { Id: string }).Id).toBe(img.Id);

      // again: every step from the cache, the same image
      shown.length = 0;
      await dialog(a, 'app');
      await a.press(KEYS.down, KEYS.down);
      await a.type('built/app:2');
      await a.press(KEYS.down);
      await a.type('V=the-dialog');
      await a.press(KEYS.enter);
      await a.type('BERTH_APP_BUILD_W=from-the-environment');
      await a.press(KEYS.ctrlS);
      await a.waitFor(`built built/app:2 (${img.Id.slice(7, 19)})`, 60_000);
      const again = shown.at(-1);
      expect(again).toMatch(/=> CACHED \[2\/3\] COPY hello\.txt/);
      expect(again).toMatch(/=> CACHED \[3\/3\] RUN echo/);

      // another Dockerfile (relative to the app's directory, as -f is), untagged, without the cache
      await dialog(a, 'app');
      await a.press(KEYS.down);
      await a.type('app/other.Dockerfile');
      await a.press(KEYS.down, KEYS.down, KEYS.down, ' ');
      await a.waitFor(/No cache\s+\[x\] on/);
      await a.press(KEYS.ctrlS);
      const built = await a.waitFor(/built ([0-9a-f]{12})/, 60_000);
      const id = /built ([0-9a-f]{12})/.exec(built)![1]!;
      const other = (await e.b.inspectImage(id)) as { Id: string; RepoTags: string[]; Config: { Labels: object } };
      expect(other.RepoTags).toEqual([]);
      expect(other.Config.Labels).toEqual({ from: 'other' });
      expect(shown.at(-1)).toMatch(/load build definition from other\.Dockerfile/);
    },
  );

  it(
    "keeps the dialog open on a failing RUN with its lines, drawing none of the output's escape sequences",
    { timeout: 120_000 },
    async () => {
      const images = await imageIds();
      const a = await open();
      await dialog(a, 'fails');
      await a.press(KEYS.down, KEYS.down);
      await a.type('fails:1');
      await a.press(KEYS.enter);
      // the engine's message in full (wrapped), the exit code at its end
      const failed = await a.waitFor(/exit code: 3/, 60_000);
      expect((a.services.store.get().overlay as { error: string }).error).toBe(
        `process "/bin/sh -c echo first line && printf 'bad\\033]0;pwned\\007\\033[2J\\233x end\\n' && exit 3" did not complete successfully: exit code: 3`,
      );
      expect(failed).toContain('Build an image');
      expect(failed).toMatch(/=> ERROR \[2\/2\] RUN echo first line/);
      expect(failed).toMatch(/=> => # first line/);
      expect(failed).toMatch(/=> => # bad\S*x end/);
      expect(failed).toMatch(/\[\+\] Building \d+\.\d+s \(\d+\/\d+\) FINISHED/);
      for (const f of a.frames()) expect(controlsIn(f)).toEqual([]);
      expect(await imageIds()).toEqual(images);
      expect(readdirSync(join(e.t.root, 'tmp'))).toEqual([]);
      await a.press(KEYS.escape);
      await a.waitFor((f) => !f.includes('Build an image'));
    },
  );
});
