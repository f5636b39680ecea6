#!/usr/bin/env node
/**
 * bench/tui: the full-screen app in a pseudo-terminal (util-linux `script`)
 * at 120x40, on a store with 300 containers (20 running, the rest created or
 * exited) and 200 images:
 *
 *   - time to the first full frame (header with every count), budget 0.5 s
 *   - keypress to screen update (j/k in the containers list), p50/p95, budget p95 50 ms
 *   - CPU and bytes written per second while idle, budget 1 % and 1 KB/s: over
 *     the 30 s right after the key presses (V8 is still compiling what they ran)
 *     and over the next minute, from a minute after the last key (steady)
 *   - the same with the Stats tab live, budget 3 % and 20 KB/s (when the backend has metrics)
 *   - resident memory while following a container that logs 1,000 lines a second
 *
 *   node bench/tui.mjs [--runs 5] [--keys 100] [--idle 30] [--log-minutes 10] [--keep DIR]
 *
 * --keep DIR builds the store in DIR and leaves it there; a DIR that has one is measured again.
 *
 * Prints a line of JSON per measurement and a summary. Needs root (containers).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CLI,
  FULL_FRAME,
  HZ,
  REPO,
  appPid,
  cpuTicks,
  measureQuiet,
  pct,
  rssKb,
  settle,
  sleep,
  startApp,
  stopApp,
  waitOutput,
} from './lib/pty-app.mjs';

const FIXTURE = resolve(REPO, 'test', 'fixtures', 'layers.docker-save.tar');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const RUNS = Number(opt('runs', 5));
const KEYS = Number(opt('keys', 100));
const IDLE_S = Number(opt('idle', 30));
const LOG_MIN = Number(opt('log-minutes', 10));

const report = (o) => process.stdout.write(JSON.stringify(o) + '\n');

// ---- the store ---------------------------------------------------------------

async function buildStore(base) {
  const root = join(base, 'root');
  const runroot = join(base, 'run');
  const { EmbeddedBackend } = await import(join(REPO, 'dist', 'client', 'embedded.js'));
  const b = new EmbeddedBackend({ root, runroot });
  await b.loadImages(createReadStream(FIXTURE));
  // 200 images: the 3 of the fixture and 197 one-layer imports with their own content
  const src = join(base, 'img');
  mkdirSync(src);
  for (let i = 0; i < 197; i++) {
    writeFileSync(join(src, 'id'), `image ${i}\n`);
    const tar = join(base, 'img.tar');
    execFileSync('tar', ['-cf', tar, '-C', src, '.']);
    await b.importImage(createReadStream(tar), { source: tar, tag: `bench/img-${String(i).padStart(3, '0')}:1` });
  }
  // 300 containers: 20 exited, 260 created, 20 running (created last: they sort first)
  for (let i = 0; i < 20; i++) {
    const { id } = await b.createContainer({ image: 'bb', name: `done-${i}`, cmd: ['true'] });
    const { session } = await b.startContainer(id, { attach: { stdout: true, stderr: true } });
    await session.exited;
  }
  for (let i = 0; i < 260; i++) await b.createContainer({ image: 'bb-layers:v1', name: `made-${i}`, cmd: ['true'] });
  for (let i = 0; i < 20; i++) {
    const { id } = await b.createContainer({
      image: 'bb',
      name: `svc-${i}`,
      cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 5; done'],
    });
    await b.startContainer(id);
  }
  const counts = { containers: (await b.listContainers({ all: true })).length, images: (await b.listImages()).length };
  await b.close();
  return { root, runroot, counts };
}

async function openStore(base) {
  const root = join(base, 'root');
  const runroot = join(base, 'run');
  const { EmbeddedBackend } = await import(join(REPO, 'dist', 'client', 'embedded.js'));
  const b = new EmbeddedBackend({ root, runroot });
  const counts = { containers: (await b.listContainers({ all: true })).length, images: (await b.listImages()).length };
  await b.close();
  return { root, runroot, counts };
}

// ---- measurements ------------------------------------------------------------

async function firstFrame(store) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const app = startApp(store);
    const t = await waitOutput(app, (o) => {
      const m = FULL_FRAME.exec(o);
      return !!m && Number(m[1]) === store.counts.containers;
    });
    times.push(t - app.t0);
    await settle(app, 300);
    await stopApp(app);
  }
  return {
    medianMs: +pct(times, 50).toFixed(1),
    minMs: +Math.min(...times).toFixed(1),
    maxMs: +Math.max(...times).toFixed(1),
    runs: times.map((x) => +x.toFixed(1)),
  };
}

async function keyLatencyAndIdle(store) {
  const app = startApp(store);
  await waitOutput(app, (o) => FULL_FRAME.test(o));
  await settle(app);
  const pid = appPid(app);
  const lat = [];
  for (let i = 0; i < KEYS; i++) {
    const before = app.bytes;
    const t = performance.now();
    const got = waitOutput(app, () => app.bytes > before, 5000);
    app.child.stdin.write(i % 2 ? 'k' : 'j');
    lat.push((await got) - t);
    await settle(app, 150);
  }
  await settle(app, 2000);
  const lastKey = performance.now();
  const idleAfterKeys = await measureQuiet(app, pid, IDLE_S);
  await sleep(Math.max(0, 60_000 - (performance.now() - lastKey)));
  const idle = await measureQuiet(app, pid, 60);
  // the Stats tab of a running container, when the backend has metrics
  let stats = null;
  const mark = app.bytes;
  app.child.stdin.write(']');
  // the charts' titles, drawn after the key (only lines that changed are written; a
  // character is at least a byte, so the last bytes-since-the-key characters hold it all)
  const since = () => app.out.slice(-Math.max(1, app.bytes - mark));
  const charts = await waitOutput(app, () => /Memory/.test(since()) && /PIDs/.test(since()), 5000).then(
    () => true,
    () => false,
  );
  if (charts) {
    await sleep(3000);
    stats = await measureQuiet(app, pid, IDLE_S);
  }
  await stopApp(app);
  return {
    keys: {
      p50Ms: +pct(lat, 50).toFixed(1),
      p95Ms: +pct(lat, 95).toFixed(1),
      maxMs: +Math.max(...lat).toFixed(1),
      presses: lat.length,
    },
    idleAfterKeys,
    idle,
    stats,
  };
}

async function logMemory(store) {
  const { EmbeddedBackend } = await import(join(REPO, 'dist', 'client', 'embedded.js'));
  const b = new EmbeddedBackend({ root: store.root, runroot: store.runroot });
  const script = 'i=0; while true; do seq $i $((i+999)); i=$((i+1000)); sleep 1; done';
  const { id } = await b.createContainer({ image: 'bb', name: 'chatty', cmd: ['sh', '-c', script] });
  await b.startContainer(id);
  const app = startApp(store);
  await waitOutput(app, (o) => FULL_FRAME.test(o));
  const pid = appPid(app);
  await sleep(10_000);
  const samples = [{ minute: 0, rssKb: rssKb(pid) }];
  const c0 = cpuTicks(pid);
  const t0 = performance.now();
  for (let m = 1; m <= LOG_MIN; m++) {
    await sleep(60_000);
    samples.push({ minute: m, rssKb: rssKb(pid) });
    process.stderr.write(`  log follow: minute ${m}, RSS ${(samples.at(-1).rssKb / 1024).toFixed(1)} MiB\n`);
  }
  const cpu = ((cpuTicks(pid) - c0) / HZ / ((performance.now() - t0) / 1000)) * 100;
  const lines = Number(/(\d+) lines/.exec(app.out.slice(-4000).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))?.[1] ?? 0);
  await stopApp(app);
  await b.removeContainer(id, { force: true });
  await b.close();
  return { minutes: LOG_MIN, samples, cpuPercent: +cpu.toFixed(1), linesSeen: lines };
}

// ---- main --------------------------------------------------------------------

const keep = opt('keep', null);
const base = keep ?? mkdtempSync(join(tmpdir(), 'berth-bench-tui-'));
process.stderr.write(`building the store in ${base} ...\n`);
// --keep DIR with a store already in it: measure that store again
const store = existsSync(join(base, 'root', 'berth.db')) ? await openStore(base) : await buildStore(base);
process.stderr.write(`store: ${store.counts.containers} containers, ${store.counts.images} images\n`);
try {
  const ff = await firstFrame(store);
  report({ bench: 'tui', metric: 'first_full_frame', ...ff, budgetMs: 500 });
  const k = await keyLatencyAndIdle(store);
  report({ bench: 'tui', metric: 'keypress_to_update', ...k.keys, budgetP95Ms: 50 });
  report({
    bench: 'tui',
    metric: 'idle_after_keys',
    seconds: IDLE_S,
    ...k.idleAfterKeys,
    budget: { cpuPercent: 1, bytesPerSecond: 1024 },
  });
  report({
    bench: 'tui',
    metric: 'idle',
    seconds: 60,
    fromSecondsAfterLastKey: 60,
    ...k.idle,
    budget: { cpuPercent: 1, bytesPerSecond: 1024 },
  });
  if (k.stats)
    report({
      bench: 'tui',
      metric: 'stats_tab_live',
      seconds: IDLE_S,
      ...k.stats,
      budget: { cpuPercent: 3, bytesPerSecond: 20480 },
    });
  else
    report({
      bench: 'tui',
      metric: 'stats_tab_live',
      skipped: 'the backend has no metrics in this build (no Stats tab)',
    });
  if (LOG_MIN > 0) report({ bench: 'tui', metric: 'log_follow_memory', ...(await logMemory(store)) });
} finally {
  if (!keep) {
    execFileSync(
      'node',
      [
        CLI,
        '--root',
        store.root,
        '--runroot',
        store.runroot,
        'rm',
        '-f',
        ...Array.from({ length: 20 }, (_, i) => `svc-${i}`),
      ],
      { stdio: 'ignore' },
    );
    rmSync(base, { recursive: true, force: true });
  }
}
