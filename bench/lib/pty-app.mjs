/**
 * The app in a pseudo-terminal (util-linux `script`) at 120x40, for
 * bench/tui.mjs and bench/remote.mjs: start it on a store (and an optional
 * -H or environment), wait for what it draws, its CPU, its quiet periods.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The checkout's CLI, or another build's (`--cli PATH`: main's, to compare in one run). */
const cliAt = process.argv.indexOf('--cli');
export const CLI = cliAt >= 0 ? resolve(process.argv[cliAt + 1]) : join(REPO, 'dist', 'cli', 'main.cjs');
/** What a user runs (`npx berth` ends there): that checkout's bin/berth, its launcher, then Node. */
const BIN = resolve(CLI, '..', '..', '..', 'bin', 'berth');
export const COLS = 120;
export const ROWS = 40;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
export const HZ = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** `cols`: a wider terminal than COLS (a remote engine's header names its endpoint beside the counts). */
export function startApp(store, env = {}, args = [], { cols = COLS } = {}) {
  const t0 = performance.now();
  const child = spawn(
    'script',
    ['-q', '-e', '-c', `stty rows ${ROWS} cols ${cols}; exec ${BIN}${args.map((a) => ' ' + a).join('')}`, '/dev/null'],
    {
      env: {
        ...process.env,
        BERTH_ROOT: store.root,
        BERTH_RUNROOT: store.runroot,
        TERM: 'xterm-256color',
        LANG: 'C.UTF-8',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const app = { child, t0, out: '', bytes: 0, lastData: t0, listeners: new Set() };
  child.stdout.on('data', (d) => {
    app.bytes += d.length;
    app.out += d.toString('utf8');
    if (app.out.length > 2_000_000) app.out = app.out.slice(-1_000_000);
    app.lastData = performance.now();
    for (const fn of [...app.listeners]) fn(d);
  });
  return app;
}

export function waitOutput(app, test, ms = 30_000) {
  return new Promise((resolve, reject) => {
    if (test(app.out)) return resolve(performance.now());
    const timer = setTimeout(() => {
      app.listeners.delete(fn);
      reject(new Error(`timed out; last output: ${JSON.stringify(app.out.slice(-400))}`));
    }, ms);
    const fn = () => {
      if (test(app.out)) {
        clearTimeout(timer);
        app.listeners.delete(fn);
        resolve(performance.now());
      }
    };
    app.listeners.add(fn);
  });
}

/** Wait until the app has written nothing for `quietMs`. */
export async function settle(app, quietMs = 1000) {
  while (performance.now() - app.lastData < quietMs) await sleep(50);
}

export function appPid(app) {
  return Number(
    execFileSync('pgrep', ['-P', String(app.child.pid), 'node'], { encoding: 'utf8' })
      .trim()
      .split('\n')[0],
  );
}

export function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
}

export function rssKb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

export async function stopApp(app) {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise((r) => app.child.on('exit', r));
  app.child.stdin.write('q');
  // an app that does not quit within 10 s (a bench that failed midway) is ended
  const t = setTimeout(() => {
    try {
      process.kill(appPid(app), 'SIGTERM');
    } catch {
      app.child.kill('SIGTERM');
    }
  }, 10_000);
  await exited;
  clearTimeout(t);
}

export const FULL_FRAME = /\d+\/(\d+) containers running · (\d+) images · \d+ volumes/;

/** CPU % of one core and bytes/s the app writes over `seconds`. */
export async function measureQuiet(app, pid, seconds) {
  const c0 = cpuTicks(pid);
  const b0 = app.bytes;
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const dt = (performance.now() - t0) / 1000;
  return {
    cpuPercent: +(((cpuTicks(pid) - c0) / HZ / dt) * 100).toFixed(2),
    bytesPerSecond: +((app.bytes - b0) / dt).toFixed(1),
  };
}
