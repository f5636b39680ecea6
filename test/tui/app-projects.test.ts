/**
 * The Containers list grouped by compose project (v), on the real engine:
 * containers made with docker-compose's labels; a row per project with its
 * containers under it; a project's merged logs (every container's lines,
 * `service-N |` tags, in time order, following live, searchable); stop,
 * start and restart of a whole project, checked on the containers' real
 * state and in docker-compose's order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { testEngine, until, type TestEngine } from '../helpers/engine.js';
import { describeIf, skipReason } from '../helpers/env.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/tui.js';

const reason = skipReason();

const compose = (project: string, service: string) => [
  `com.docker.compose.project=${project}`,
  `com.docker.compose.service=${service}`,
  'com.docker.compose.container-number=1',
  'com.docker.compose.oneoff=False',
];
const ticker = (word: string) => [
  'sh',
  '-c',
  `trap "exit 0" TERM; i=0; while true; do i=$((i+1)); echo "${word} tick $i"; sleep 0.3; done`,
];

describeIf(reason)('the compose project view', () => {
  let e: TestEngine;
  let shared: string;
  let app: AppHarness | null = null;

  const state = async (name: string) => (await e.b.inspectContainer(name)).State;
  const logText = async (name: string) => {
    let s = '';
    for await (const l of e.b.containerLogs(name, {})) s += l.text;
    return s;
  };

  beforeAll(async () => {
    e = await testEngine();
    shared = mkdtempSync(join(tmpdir(), 'berth-projects-'));
    // a finished project whose two logs interleave in a known order (a1 b1 a2 b2): each waits for the other's line
    const a = await e.b.createContainer({
      image: 'bb',
      name: 'batch_a_1',
      labels: compose('batch', 'a'),
      volumes: [`${shared}:/s`],
      cmd: ['sh', '-c', 'echo a1; while [ ! -e /s/b1 ]; do sleep 0.05; done; sleep 0.3; echo a2; touch /s/a2'],
    });
    const b = await e.b.createContainer({
      image: 'bb',
      name: 'batch_b_1',
      labels: compose('batch', 'b'),
      volumes: [`${shared}:/s`],
      cmd: [
        'sh',
        '-c',
        'sleep 0.3; echo b1; touch /s/b1; while [ ! -e /s/a2 ]; do sleep 0.05; done; sleep 0.3; echo b2',
      ],
    });
    await e.b.startContainer(a.id);
    await until(async () => (await logText(a.id)).includes('a1'), 10_000);
    await e.b.startContainer(b.id);
    await until(async () => !(await state(a.id)).Running && !(await state(b.id)).Running, 20_000);
    // a running project, created db first, then web; and a container of no project
    for (const svc of ['db', 'web']) {
      const { id } = await e.b.createContainer({
        image: 'bb',
        name: `shop_${svc}_1`,
        labels: compose('shop', svc),
        cmd: ticker(svc),
      });
      await e.b.startContainer(id);
    }
    const { id } = await e.b.createContainer({ image: 'bb', name: 'loner', cmd: ticker('loner') });
    await e.b.startContainer(id);
  });
  afterEach(() => {
    app?.close();
    app = null;
  });
  afterAll(async () => {
    for (const c of (await e?.b.listContainers({ all: true })) ?? []) await e.b.removeContainer(c.Id, { force: true });
    await e?.close();
    rmSync(shared, { recursive: true, force: true });
  });

  const open = async () => {
    app = await renderApp(e.b, { columns: 160, rows: 40 });
    await app.waitFor('loner');
    await app.press('v');
    await app.waitFor('(no project)');
    return app;
  };

  /** The grouped list with the filter picking out one project; its row selected. */
  const project = async (a: AppHarness, name: string) => {
    await a.press('/');
    await a.type(name);
    await a.press(KEYS.enter, 'g');
    await a.waitFor(`project ${name} `);
  };

  it('groups the containers under their projects, "(no project)" last; v again gives the flat list', async () => {
    const a = await open();
    const f = await a.waitFor(/shop\s+2\/2 running .* 2 services/);
    expect(f).toMatch(/batch\s+0\/2 running .* 2 services/);
    expect(f).toMatch(/\(no project\)\s+1\/1 running/);
    expect(f).toMatch(/3 running \/ 5 · 2 projects/);
    const order = [
      'batch ',
      '  batch_a_1',
      '  batch_b_1',
      'shop ',
      '  shop_db_1',
      '  shop_web_1',
      '(no project)',
      '  loner',
    ];
    const lines = f.split('\n');
    const at = order.map((t) => lines.findIndex((l) => l.includes(t)));
    expect(
      at.every((i) => i >= 0),
      `${JSON.stringify(at)}\n${f}`,
    ).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    await a.press('v');
    await a.waitFor((fr) => !fr.includes('(no project)') && fr.includes('shop_web_1'));
    expect(a.frame()).not.toMatch(/\n\S*\s+ {2}shop_web_1/);
  });

  it("a project's merged logs: every container's lines with their service-N tags, in time order; search works on them", async () => {
    const a = await open();
    await project(a, 'batch');
    const f = await a.waitFor(/b-1 \| b2/);
    const order = ['a-1 | a1', 'b-1 | b1', 'a-1 | a2', 'b-1 | b2'].map((t) => f.indexOf(t));
    expect(
      order.every((i) => i >= 0),
      f,
    ).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    // the project has only its Logs tab
    expect(f).not.toMatch(/│ Inspect │/);
    // full screen (m) focuses the Logs tab
    await a.press('m', '/');
    await a.type('b1');
    await a.press(KEYS.enter);
    await a.waitFor('search: b1');
    expect(a.frame()).not.toMatch(/no older match/);
    await a.press('n');
    await a.waitFor('"b1": no older match');
    await a.press('/', KEYS.ctrlU);
    await a.type('nothing-like-this');
    await a.press(KEYS.enter);
    await a.waitFor('"nothing-like-this": no older match');
  });

  it('follows a running project live, both services interleaved by time (timestamps on)', async () => {
    const a = await open();
    await project(a, 'shop');
    await a.waitFor(/db-1 {2}\| db tick \d+/);
    await a.waitFor(/web-1 \| web tick \d+/);
    const ticks = (fr: string) => Math.max(0, ...[...fr.matchAll(/web tick (\d+)/g)].map((m) => Number(m[1])));
    const seen = ticks(a.frame());
    await a.waitFor((fr) => ticks(fr) >= seen + 2);
    await a.press('m', 't');
    const f = await a.waitFor(/(db-1 |web-1) \| \d{4}-\d\d-\d\dT[\d:.]+Z (db|web) tick/);
    const rows = [...f.matchAll(/(db-1 |web-1) \| (\d{4}-\d\d-\d\dT[\d:.]+Z) (db|web) tick (\d+)/g)];
    expect(new Set(rows.map((m) => m[3])).size, f).toBe(2);
    // each row's tag is its service's; the rows are in time order
    for (const m of rows) expect(m[1]!.trim()).toBe(`${m[3]}-1`);
    const times = rows.map((m) => m[2]!);
    expect([...times].sort()).toEqual(times);
  });

  it('stops, starts and restarts every container of a project (stop and restart ask), in order; others untouched', async () => {
    const a = await open();
    await project(a, 'shop');
    // a command for a container on a project row does nothing but say so
    await a.press('d');
    await a.waitFor(/select a container \(on a project: start, stop, restart, logs\)/);
    // its Enter menu offers what acts on the project
    await a.press(KEYS.enter);
    const menu = await a.waitFor('Actions: shop');
    for (const what of [/│ s +Stop/, /│ S +Start/, /│ r +Restart/, /│ m +Logs full screen/]) expect(menu).toMatch(what);
    for (const what of [/│ d +Remove/, /│ E +Exec a shell/, /│ c +Commit/]) expect(menu).not.toMatch(what);
    await a.press(KEYS.escape);
    await a.waitFor((f) => !f.includes('Actions: shop'));
    await a.press('s');
    await a.waitFor('Stop project shop: 2 containers (shop_web_1, shop_db_1)?');
    await a.press('y');
    await a.waitFor('stopped project shop (2 containers)', 30_000);
    const [db, web] = [await state('shop_db_1'), await state('shop_web_1')];
    expect([db.Running, web.Running]).toEqual([false, false]);
    // docker-compose's order: the newest first
    expect(Date.parse(web.FinishedAt)).toBeLessThan(Date.parse(db.FinishedAt));
    expect((await state('loner')).Running).toBe(true);
    await a.waitFor(/shop\s+0\/2 running/);

    await a.press('S');
    await a.waitFor('started project shop (2 containers)', 30_000);
    const [db2, web2] = [await state('shop_db_1'), await state('shop_web_1')];
    expect([db2.Running, web2.Running]).toEqual([true, true]);
    expect(Date.parse(db2.StartedAt)).toBeLessThan(Date.parse(web2.StartedAt));
    await a.waitFor(/shop\s+2\/2 running/);

    await a.press('r');
    await a.waitFor('Restart project shop: 2 containers (shop_db_1, shop_web_1)?');
    await a.press('n');
    await a.waitFor((fr) => !fr.includes('Restart project'));
    expect((await state('shop_web_1')).StartedAt).toBe(web2.StartedAt);
    await a.press('r');
    await a.waitFor('Restart project shop');
    await a.press('y');
    await a.waitFor('restarted project shop (2 containers)', 30_000);
    const [db3, web3] = [await state('shop_db_1'), await state('shop_web_1')];
    expect([db3.Running, web3.Running]).toEqual([true, true]);
    expect(Date.parse(db3.StartedAt)).toBeGreaterThan(Date.parse(db2.StartedAt));
    expect(Date.parse(web3.StartedAt)).toBeGreaterThan(Date.parse(web2.StartedAt));
    expect((await state('loner')).Running).toBe(true);
  });
});
