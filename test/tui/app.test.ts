/**
 * The app's panes, keys and dialogs with ink-testing-library, on the real
 * engine (a temporary root with the fixture images, real containers).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { testEngine, until, type TestEngine } from '../helpers/engine.js';
import { describeIf, skipReason } from '../helpers/env.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/tui.js';
import { cancelTransfer, loadFrom, saveTo } from '../../src/tui/actions/transfer.js';
import { isBerthError } from '../../src/client/api.js';

const reason = skipReason();

describeIf(reason)('the app on the real engine', () => {
  let e: TestEngine;
  let work: string;
  let app: AppHarness | null = null;
  let webId = '';

  beforeAll(async () => {
    e = await testEngine();
    work = mkdtempSync(join(tmpdir(), 'berth-app-files-'));
    const { id } = await e.b.createContainer({
      image: 'bb',
      name: 'web',
      cmd: ['sh', '-c', 'trap "exit 0" TERM; echo hello-out; echo oops-err >&2; while true; do sleep 0.1; done'],
    });
    await e.b.startContainer(id);
    webId = id;
    await e.b.createContainer({ image: 'bb-layers:v1', name: 'idle', cmd: ['true'] });
  });
  afterEach(() => {
    app?.close();
    app = null;
  });
  afterAll(async () => {
    await e?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const open = async () => {
    app = await renderApp(e.b, { cwd: work });
    await app.waitFor('bb-layers:v0');
    await app.waitFor('web');
    return app;
  };

  /** Select the row of a list that the filter text picks out (and leave the filter on). */
  const pick = async (a: AppHarness, list: '1' | '2' | '3', filter: string) => {
    await a.press(list, '/');
    await a.type(filter);
    await a.press(KEYS.enter);
    await a.waitFor(' 1 shown');
  };

  it('lists containers, images and volumes with the header counts, and follows another process', async () => {
    const a = await open();
    const f = a.frame();
    expect(f).toMatch(/1\/2 containers running · 3 images · 0 volumes/);
    expect(f).toContain('1 Containers');
    expect(f).toMatch(/idle\s+Created/);
    expect(f).toMatch(/web\s+Up /);
    for (const t of ['bb-layers:v0', 'bb-layers:v1', 'bb-layers:latest', 'bb:latest']) expect(f).toContain(t);
    // another process (here: the same engine outside the app) makes a volume: it shows up
    await e.b.createVolume({ name: 'fromoutside' });
    await a.waitFor('fromoutside');
    expect(a.frame()).toMatch(/1 volumes/);
    await e.b.removeVolume('fromoutside');
    await a.waitFor((fr) => !fr.includes('fromoutside'));
  });

  it('moves with the keymap, filters, opens the action menu and the help', async () => {
    const a = await open();
    await a.press('2');
    await a.waitFor(/REPOSITORY:TAG/);
    await a.press('j');
    // the main panel shows the selected image's inspect
    await a.waitFor(/"RepoTags": \[[^\]]*"bb-layers:v1"/);
    await a.press('/');
    await a.type('v0');
    const row = /^\s+bb:latest\s/m;
    await a.waitFor((f) => f.includes('filter: v0') && !row.test(f));
    expect(a.frame()).toContain('1 shown');
    await a.press(KEYS.enter);
    await a.press(KEYS.escape);
    await a.waitFor(row);
    await a.press(KEYS.enter);
    await a.waitFor('Actions:');
    for (const t of ['Run a container', 'Tag', 'Save to a file', 'Load from a file', 'Prune dangling images'])
      expect(a.frame()).toContain(t);
    await a.press(KEYS.escape);
    await a.waitFor((f) => !f.includes('Actions:'));
    await a.press('?');
    await a.waitFor('Keys (');
    expect(a.frame()).toMatch(/Everywhere/);
    expect(a.frame()).toMatch(/q\s+Quit/);
    await a.press('?');
    await a.waitFor((f) => !f.includes('Keys ('));
    await a.press('q');
    expect(a.quits).toBe(1);
  });

  it('shows logs live, stdout and stderr, and the container tabs', async () => {
    const a = await open();
    await a.press('G'); // idle is the newest, web the last
    await a.waitFor('hello-out');
    expect(a.frame()).toContain('oops-err');
    expect(a.frame()).toMatch(/following/);
    // once the shared stats stream is live the Stats tab follows Logs
    await a.waitFor(/Logs │ Stats │ Inspect/);
    await a.press(']');
    await a.waitFor(/Block I\/O/);
    expect(a.frame()).toMatch(/CPU/);
    expect(a.frame()).toMatch(/Memory/);
    expect(a.frame()).toMatch(/PIDs/);
    await a.press(']');
    await a.waitFor(/"Path": "sh"/);
    await a.press(']');
    await a.waitFor(/UID\s+PID\s+PPID/);
    expect(a.frame()).toMatch(/sh -c trap/);
    await a.press(']');
    await a.waitFor(/no changes|[ACD] \//);
  });

  it("samples at the lists' two-second beat, and once a second while the Stats tab shows", async () => {
    const a = await open();
    const sampler = e.b.engine.statsSampler;
    await a.waitFor(/Logs │ Stats │ Inspect/);
    await until(() => sampler.interval === 2000);
    await a.press('G'); // web, the running one
    await a.press(']');
    await a.waitFor(/Block I\/O/);
    await until(() => sampler.interval === 1000);
    // the charts keep getting batches across the change of period
    const v = a.services.stats.version;
    await until(() => a.services.stats.version >= v + 2, 5000);
    await a.press('[');
    await a.waitFor('hello-out');
    await until(() => sampler.interval === 2000);
  });

  it('says when the terminal is too small', async () => {
    app = await renderApp(e.b, { columns: 70, rows: 20 });
    await app.waitFor('The terminal is 70x20; berth needs at least 80x24');
  });

  it('commits a running container through the dialog; the new image is selected', async () => {
    const a = await open();
    await a.press('G');
    await a.waitFor('hello-out');
    await a.press('c');
    await a.waitFor('Commit container: web');
    await a.type('Bad:Name');
    await a.press(KEYS.enter);
    await a.waitFor(/invalid reference format/);
    await a.press(KEYS.ctrlU);
    await a.type('committed:1');
    await a.press(KEYS.down, KEYS.down, KEYS.down);
    await a.type('ENV FROM_APP=1');
    await a.press(KEYS.ctrlS);
    await a.waitFor(/committed web as committed:1/);
    await a.waitFor((f) => /2 Images/.test(f) && f.includes('committed:1'));
    const inspect = (await e.b.inspectImage('committed:1')) as { Config: { Env: string[] } };
    expect(inspect.Config.Env).toContain('FROM_APP=1');
    // the new image is the selection of the focused Images list
    await a.waitFor(/"committed:1"/);
  });

  it('tags, saves with progress to a file, removes and loads back with Tab completion', async () => {
    const a = await open();
    await pick(a, '2', 'bb-layers:v1');
    await a.waitFor(/"bb-layers:v1"/);
    await a.press(KEYS.escape);
    await a.press('t');
    await a.waitFor('Tag image');
    await a.press(KEYS.ctrlU);
    await a.type('again:2');
    await a.press(KEYS.enter);
    await a.waitFor(/tagged bb-layers:v1 as again:2/);
    await a.waitFor(/"again:2"/);
    // save the selection (again:2) to a file
    await a.press('S');
    await a.waitFor('Save images: again:2');
    expect(a.frame()).toContain('./again_2.tar');
    await a.press(KEYS.enter);
    await a.waitFor(/saved again:2 to .*again_2\.tar/);
    expect(existsSync(join(work, 'again_2.tar'))).toBe(true);
    expect(readdirSync(work).filter((n) => n.includes('partial'))).toEqual([]);
    // an existing file is not overwritten
    await a.press('S');
    await a.press(KEYS.enter);
    await a.waitFor(/already exists/);
    await a.press(KEYS.escape);
    // remove the tag (asks first)
    await a.press('d');
    await a.waitFor('Remove images');
    await a.press('y');
    await a.waitFor(/untagged 1/);
    await until(async () => !(await e.b.listImages()).some((i) => i.RepoTags.includes('again:2')));
    // load it back, completing the path with Tab
    await a.press('L');
    await a.waitFor('Load images');
    await a.type('./aga');
    await a.press(KEYS.tab);
    await a.waitFor('./again_2.tar');
    await a.press(KEYS.enter);
    await a.waitFor(/loaded again:2/);
    expect((await e.b.listImages()).some((i) => i.RepoTags.includes('again:2'))).toBe(true);
  });

  it("shows the engine's message in the footer and stays usable", async () => {
    const a = await open();
    await pick(a, '1', 'idle'); // created, never started
    await a.press('p');
    await a.waitFor(/Error: .*is not running/);
    // the app still answers
    await a.press(KEYS.escape, '2');
    await a.waitFor(/REPOSITORY:TAG/);
  });

  it('creates a volume through the dialog and asks before removing it', async () => {
    const a = await open();
    await a.press('3', 'n');
    await a.waitFor('New volume');
    await a.type('made-in-app');
    await a.press(KEYS.enter);
    await a.waitFor(/created volume made-in-app/);
    await a.waitFor(/"Name": "made-in-app"/);
    await a.press('d');
    await a.waitFor('Remove volume made-in-app');
    await a.press('n');
    await a.waitFor((f) => !f.includes('Remove volume'));
    expect((await e.b.listVolumes()).map((v) => v.Name)).toContain('made-in-app');
    await a.press('d', 'y');
    await a.waitFor(/removed volume made-in-app/);
    expect((await e.b.listVolumes()).map((v) => v.Name)).not.toContain('made-in-app');
  });

  it('stops and starts a container from the keys; the list follows', async () => {
    const a = await open();
    await a.press('G');
    await a.waitFor('hello-out');
    await a.press('s');
    await a.waitFor(/stopped web/);
    await a.waitFor(/web\s+Exited \(\d+\)/);
    await a.press('S');
    await a.waitFor(/started web/);
    await a.waitFor(/web\s+Up /);
    const info = (await e.b.inspectContainer(webId)) as { State: { Running: boolean } };
    expect(info.State.Running).toBe(true);
  });

  it('shows a container that ended on its own as exited, with no other process looking', async () => {
    const a = await open();
    const { id } = await e.b.createContainer({ image: 'bb', name: 'brief', cmd: ['sh', '-c', 'sleep 2'] });
    await e.b.startContainer(id);
    await a.waitFor(/brief\s+Up /);
    // nobody reads the container after its start: the app learns of its end from the stats stream (the backstop poll is five minutes)
    await a.waitFor(/brief\s+Exited \(0\)/, 15_000);
    await e.b.removeContainer(id);
  });

  it('cancelling a save or a load leaves no file and no image', async () => {
    const a = await open();
    const svc = a.services;
    const saving = saveTo(svc, ['bb-layers:v1'], './cancelled.tar');
    expect(cancelTransfer(svc)).toBe(true);
    const err = await saving.catch((x: unknown) => x);
    expect(isBerthError(err) && err.code).toBe('CANCELLED');
    expect(readdirSync(work).filter((n) => n.includes('cancelled'))).toEqual([]);
    // a finished save, then a cancelled load of it into a store without the image
    await saveTo(svc, ['bb-layers:v0'], './v0.tar');
    await e.b.removeImage('bb-layers:v0');
    const loading = loadFrom(svc, './v0.tar');
    expect(cancelTransfer(svc)).toBe(true);
    const lerr = await loading.catch((x: unknown) => x);
    expect(isBerthError(lerr) && lerr.code).toBe('CANCELLED');
    expect((await e.b.listImages()).some((i) => i.RepoTags.includes('bb-layers:v0'))).toBe(false);
    expect(cancelTransfer(svc)).toBe(false);
  });
});
