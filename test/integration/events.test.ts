/** `berth events` and the backend's event feed, across processes on one store. */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmbeddedBackend } from '../../src/client/embedded.js';
import { eventFeed } from '../../src/engine/events/feed.js';
import type { EngineEvent } from '../../src/client/api.js';
import { CLI, berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { until } from '../helpers/engine.js';

const reason = skipReason();

describeIf(reason)('events', () => {
  let t: TempRoot;
  const b = (...args: string[]) => berth(t, args);
  beforeAll(async () => {
    t = tempRoot();
    expect((await b('load', '-q', '-i', fixture('busybox.docker-save.tar'))).exitCode).toBe(0);
  });
  afterAll(() => t?.cleanup());

  it('the feed in one process sees what another process does, in order, until aborted', async () => {
    const backend = new EmbeddedBackend({ root: t.root, runroot: t.runroot });
    const ac = new AbortController();
    const seen: EngineEvent[] = [];
    const done = (async () => {
      for await (const e of backend.events({ signal: ac.signal })) seen.push(e);
    })();
    try {
      // nothing from before the subscription is replayed
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toEqual([]);
      expect((await b('tag', 'bb', 'feed:1')).exitCode).toBe(0);
      expect((await b('run', '--name', 'feedc', '--network', 'none', 'bb', 'true')).exitCode).toBe(0);
      expect((await b('volume', 'create', 'feedv')).exitCode).toBe(0);
      await until(() => seen.some((e) => e.Type === 'volume'), 10_000);
      const summary = seen.map((e) => `${e.Type} ${e.Action} ${e.Actor.Attributes.name ?? e.Actor.ID}`);
      expect(summary[0]).toBe('image tag docker.io/library/feed:1');
      expect(summary).toContain('container create feedc');
      expect(summary).toContain('container start feedc');
      expect(summary.indexOf('container create feedc')).toBeLessThan(summary.indexOf('container start feedc'));
      expect(summary[summary.length - 1]).toBe('volume create feedv');
      const nanos = seen.map((e) => e.timeNano);
      expect([...nanos].sort((a, b2) => (a < b2 ? -1 : a > b2 ? 1 : 0))).toEqual(nanos);
    } finally {
      ac.abort();
      await done;
      await backend.close();
    }
  });

  it('--since/--until replay and end; filters; json; templates', async () => {
    const all = (await b('events', '--since', '10m', '--until', '0s')).stdout.trim().split('\n');
    expect(all[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) image load sha256:6aa4265b/);
    expect(all.some((l) => / container start [0-9a-f]{64} \(image=bb, name=feedc\)$/.test(l))).toBe(true);
    const vols = (await b('events', '--since', '10m', '--until', '0s', '-f', 'type=volume', '--format', 'json')).stdout
      .trim()
      .split('\n');
    expect(vols.map((l) => JSON.parse(l))).toMatchObject([
      { Type: 'volume', Action: 'create', Actor: { ID: 'feedv' }, scope: 'local' },
    ]);
    const tmpl = await b(
      'events',
      '--since',
      '10m',
      '--until',
      '0s',
      '-f',
      'container=feedc',
      '-f',
      'event=start',
      '--format',
      '{{.Action}} {{.Actor.Attributes.name}}',
    );
    expect(tmpl.stdout).toBe('start feedc\n');
    // a point in the past before anything happened: nothing
    expect((await b('events', '--since', '2000-01-01', '--until', '2000-01-02')).stdout).toBe('');
  });

  it('a separate process follows until --until (Unix seconds) passes, then exits 0', async () => {
    const now = Date.now() / 1000;
    // --since as well, so the event is seen even when the child starts late on a busy machine
    const args = [
      'events',
      '--since',
      now.toFixed(3),
      '--until',
      (now + 4).toFixed(3),
      '--format',
      '{{.Type}} {{.Action}}',
    ];
    const child = spawn('node', [CLI, ...args], { env: { ...process.env, ...t.env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 1000));
    await b('tag', 'bb', 'live:1');
    expect(await exited).toBe(0);
    expect(out).toBe('image tag\n');
  });

  it("restarts by the monitor's policy show as die and start, recorded by the next process that looks", async () => {
    const run = await b(
      'run',
      '-d',
      '--name',
      'flaky',
      '--network',
      'none',
      '--restart',
      'on-failure:2',
      'bb',
      'sh',
      '-c',
      'exit 3',
    );
    expect(run.exitCode).toBe(0);
    // no berth process watches while the monitor restarts it twice and it ends for good
    await until(
      async () =>
        (await b('inspect', '-f', '{{.State.Status}} {{.RestartCount}}', 'flaky')).stdout.trim() === 'exited 2',
      30_000,
    );
    const actions = async () =>
      (
        await b(
          'events',
          '--since',
          '10m',
          '--until',
          '0s',
          '-f',
          'container=flaky',
          '--format',
          '{{.Action}}{{if eq .Action "die"}} {{.Actor.Attributes.exitCode}}{{end}}',
        )
      ).stdout
        .trim()
        .split('\n');
    expect(await actions()).toEqual(['create', 'start', 'die 3', 'start', 'die 3', 'start', 'die 3']);
    // and nothing twice when others look again
    await b('ps', '-a');
    await b('inspect', 'flaky');
    expect(await actions()).toHaveLength(7);
  });

  it("a container's events carry its labels, as dockerd's do, from create to destroy: -f label= finds them", async () => {
    expect((await b('create', '--name', 'labc', '-l', 'team=events', '--network', 'none', 'bb', 'true')).exitCode).toBe(
      0,
    );
    expect((await b('start', '-a', 'labc')).exitCode).toBe(0);
    expect((await b('rm', 'labc')).exitCode).toBe(0);
    expect(
      (await b('run', '--rm', '-l', 'team=events', '--name', 'labr', '--network', 'none', 'bb', 'true')).exitCode,
    ).toBe(0);
    const r = await b(
      'events',
      '--since',
      '10m',
      '--until',
      '0s',
      '-f',
      'label=team=events',
      '--format',
      '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.team}}',
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    for (const n of ['labc', 'labr'])
      for (const a of ['create', 'start', 'die', 'destroy']) expect(lines).toContain(`${a} ${n} events`);
  });

  it('bad filters and times fail with one line and exit 1', async () => {
    const r = await b('events', '-f', 'bogus=1');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("Error: invalid filter 'bogus'\n");
    const r2 = await b('events', '--since', 'yesterday');
    expect(r2.exitCode).toBe(1);
    expect(r2.stderr).toMatch(/^Error: failed to parse value as time or duration: "yesterday"\n$/);
  });

  it('a follower sees each of many single writes by another process, none left to its backstop', async () => {
    // A write wakes the follower when its frames reach the write-ahead log, which is just before the
    // commit becomes visible (SQLite then updates the WAL index in shared memory, which inotify does
    // not report). A follower that looked in between and found nothing must look again shortly, or it
    // sleeps until its backstop (ten minutes here). 300 lone writes from another process, each waited
    // for before the next, each a chance to fall in that gap.
    const backend = new EmbeddedBackend({ root: t.root, runroot: t.runroot });
    const ac = new AbortController();
    let seen = 0;
    const done = (async () => {
      for await (const e of eventFeed(backend.engine.store, { signal: ac.signal }, 600_000))
        if (e.Type === 'volume' && e.Action === 'create' && /^lone-/.test(e.Actor.ID)) seen++;
    })();
    const script = [
      `const { EmbeddedBackend } = await import(${JSON.stringify(new URL('../../dist/client/embedded.js', import.meta.url).href)});`,
      `const b = new EmbeddedBackend({ root: ${JSON.stringify(t.root)}, runroot: ${JSON.stringify(t.runroot)} });`,
      'let i = 0;',
      'for await (const chunk of process.stdin) for (const _ of String(chunk).trim().split(/\\s+/)) {',
      '  await b.createVolume({ name: `lone-${i++}` });',
      "  process.stdout.write('ok\\n');",
      '}',
      'await b.close();',
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const acks: (() => void)[] = [];
    child.stdout!.on('data', (d: Buffer) => {
      for (const _ of String(d).trim().split(/\s+/)) acks.shift()?.();
    });
    try {
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 1; i <= 300; i++) {
        const written = new Promise<void>((r) => acks.push(r));
        child.stdin!.write('go\n');
        await written;
        await until(() => seen === i, 3000);
      }
    } finally {
      child.stdin!.end();
      await new Promise((r) => child.on('exit', r));
      ac.abort();
      await done;
      await backend.close();
    }
  });

  it('a follower wakes when another process writes the database, not at its backstop', async () => {
    const backend = new EmbeddedBackend({ root: t.root, runroot: t.runroot });
    const ac = new AbortController();
    const seen: EngineEvent[] = [];
    // a backstop of ten minutes: only the change to the database's files can wake this follower in time
    const done = (async () => {
      for await (const e of eventFeed(backend.engine.store, { signal: ac.signal }, 600_000)) seen.push(e);
    })();
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect((await b('volume', 'create', 'wakev')).exitCode).toBe(0);
      await until(
        () => seen.some((e) => e.Type === 'volume' && (e.Actor.Attributes.name ?? e.Actor.ID) === 'wakev'),
        5000,
      );
    } finally {
      ac.abort();
      await done;
      await backend.close();
    }
  });
});
