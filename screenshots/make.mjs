#!/usr/bin/env node
/**
 * Screenshots of the real app from a real run: a temporary store with the
 * fixture images, containers that log, a volume; the app in tmux at 120x36
 * with 256 colours; each screen read back with `tmux capture-pane -e`,
 * replayed into a headless xterm (@xterm/headless) and serialised to HTML
 * (@xterm/addon-serialize: colours, bold and inverse exactly as a terminal
 * draws them), then photographed with Debian's chromium in headless mode.
 *
 *   node screenshots/make.mjs [NAME...]   (root, tmux and chromium; npm run build first)
 *
 * Writes screenshots/*.png (only the NAMEs given, e.g. app-compose; the run is the same).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import xtermHeadless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = resolve(HERE, '..');
const CLI = join(REPO, 'dist', 'cli', 'main.js');
const FIXTURE = resolve(REPO, 'test', 'fixtures', 'layers.docker-save.tar');
const COLS = 120;
const ROWS = 36;
const SOCKET = `berth-shots-${process.pid}`;

const base = mkdtempSync(join(tmpdir(), 'berth-shots-'));
const env = { ...process.env, BERTH_ROOT: join(base, 'root'), BERTH_RUNROOT: join(base, 'run'), NO_COLOR: '' };
const berth = (...args) => execFileSync('node', [CLI, ...args], { env, encoding: 'utf8' });
const tmux = (...args) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(text, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const s = tmux('capture-pane', '-p', '-t', 'shots');
    if (typeof text === 'string' ? s.includes(text) : typeof text === 'function' ? text(s) : text.test(s)) return;
    await sleep(100);
  }
  throw new Error(`screenshots: the app never showed ${text}:\n${tmux('capture-pane', '-p', '-t', 'shots')}`);
}

const keys = (...k) => {
  for (const x of k)
    tmux('send-keys', '-t', 'shots', ...(/^(Escape|Enter|Tab|Down|Up|C-.)$/.test(x) ? [x] : ['-l', x]));
};

/** The pane, with its colours, as an HTML page of a terminal. */
function pageOf(ansi) {
  const { Terminal } = xtermHeadless;
  const { SerializeAddon } = serializeAddon;
  const theme = {
    background: '#14161b',
    foreground: '#d8dde6',
    black: '#1c1f26',
    red: '#ff6b6b',
    green: '#3fd17a',
    yellow: '#ffcc66',
    blue: '#5aa9ff',
    magenta: '#e07ee0',
    cyan: '#4fd6e3',
    white: '#d8dde6',
    brightBlack: '#7d8590',
    brightRed: '#ff8f8f',
    brightGreen: '#7ee787',
    brightYellow: '#ffe08a',
    brightBlue: '#8cc4ff',
    brightMagenta: '#f2a8f2',
    brightCyan: '#8ae8f0',
    brightWhite: '#ffffff',
  };
  const term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true, theme });
  const ser = new SerializeAddon();
  term.loadAddon(ser);
  return new Promise((done) => {
    term.write(ansi.replace(/\n$/, '').split('\n').join('\r\n'), () => {
      const html = ser.serializeAsHTML({ includeGlobalBackground: true });
      const body = html.replace(/^[\s\S]*<!--StartFragment-->/, '').replace(/<!--EndFragment-->[\s\S]*$/, '');
      done(`<!doctype html><meta charset="utf-8"><style>
        html, body { margin: 0; background: ${theme.background}; }
        pre { margin: 0; padding: 14px 16px; }
        pre > div { font-family: 'DejaVu Sans Mono', monospace !important; font-size: 15px !important; line-height: 18px; }
        pre div div { height: 18px; white-space: pre; }
      </style>${body}`);
    });
  });
}

const ONLY = process.argv.slice(2);

async function shot(name) {
  if (ONLY.length && !ONLY.includes(name)) return;
  await sleep(400); // let the last frame land
  const ansi = tmux('capture-pane', '-p', '-e', '-t', 'shots');
  const page = join(base, `${name}.html`);
  writeFileSync(page, await pageOf(ansi));
  const out = join(HERE, `${name}.png`);
  execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
      '--hide-scrollbars',
      '--force-device-scale-factor=1',
      `--window-size=${Math.ceil(COLS * 9.04) + 32},${ROWS * 18 + 28}`,
      `--screenshot=${out}`,
      `file://${page}`,
    ],
    { stdio: 'ignore' },
  );
  process.stderr.write(`wrote ${out}\n`);
}

try {
  berth('load', '-i', FIXTURE);
  berth('volume', 'create', 'pgdata');
  const context = join(base, 'api');
  mkdirSync(context);
  writeFileSync(join(context, 'app.sh'), '#!/bin/sh\necho serving\n');
  writeFileSync(
    join(context, 'Dockerfile'),
    'FROM bb-layers:v1\nWORKDIR /srv\nCOPY app.sh .\n' +
      'RUN for i in 1 2 3; do echo "compiling module $i of 3"; sleep 1; done; sleep 3\nCMD ["sh", "app.sh"]\n',
  );
  berth('run', '--name', 'migrate', 'bb-layers:v1', 'sh', '-c', 'echo applying 12 migrations; echo done');
  berth('network', 'create', '--subnet', '10.88.0.0/24', 'backend');
  berth(
    'run',
    '-d',
    '--name',
    'worker',
    '--network',
    'backend',
    '-v',
    'pgdata:/data',
    'bb',
    'sh',
    '-c',
    'trap "exit 0" TERM; while true; do echo "job $RANDOM done"; sleep 2; done',
  );
  berth(
    'run',
    '-d',
    '--name',
    'web',
    'bb',
    'sh',
    '-c',
    'trap "exit 0" TERM; i=0; while true; do i=$((i+1)); echo "GET /api/items/$i 200 $((RANDOM % 90 + 3))ms"; ' +
      'if [ $((i % 7)) = 0 ]; then echo "warn: slow query on /api/search ($((RANDOM % 900 + 300))ms)" >&2; fi; sleep 0.4; done',
  );
  tmux(
    'new-session',
    '-d',
    '-s',
    'shots',
    '-c',
    context,
    '-x',
    String(COLS),
    '-y',
    String(ROWS),
    'env',
    `BERTH_ROOT=${env.BERTH_ROOT}`,
    `BERTH_RUNROOT=${env.BERTH_RUNROOT}`,
    'TERM=xterm-256color',
    'LANG=C.UTF-8',
    'node',
    CLI,
  );
  tmux('set-option', '-t', 'shots', 'status', 'off');
  await waitFor(/2\/3 containers running/);
  await waitFor('GET /api/items/12');
  await shot('app-containers-logs');

  keys('c');
  await waitFor('Commit container: web');
  keys(
    'registry.local/web:snapshot',
    'Down',
    'ops',
    'Down',
    'before the upgrade',
    'Down',
    'ENV MODE=snapshot',
    'Enter',
    'CMD ["sh"]',
  );
  await waitFor('CMD ["sh"]');
  await shot('app-commit-dialog');
  keys('Escape');
  await sleep(300); // a lone Esc, not the start of Alt-<key>

  keys('?');
  await waitFor('Keys (');
  await shot('app-help');
  keys('Escape');
  await sleep(300); // a lone Esc, not the start of Alt-<key>

  keys('2', 'j', ']');
  await waitFor(/IMAGE +CREATED +SIZE +COMMENT/);
  await shot('app-images-history');

  keys('4');
  await waitFor(/backend.*bridge.*10\.88\.0\.0\/24/);
  await shot('app-networks');

  // the build dialog on a context in the session's directory ('.'), its steps drawn live
  keys('2', 'b');
  await waitFor('Build an image');
  keys('Down', 'Down', 'registry.local/api:dev', 'C-s');
  await waitFor('compiling module 2 of 3');
  await shot('app-build');
  await waitFor((screen) => !screen.includes('Build an image') && /registry\.local\/api:dev/.test(screen), 30_000);

  keys('1', 'g', ']');
  try {
    await waitFor('│ Stats │', 3000);
    await sleep(12_000); // a few samples for the charts to move
    await shot('app-stats');
  } catch {
    process.stderr.write('no Stats tab: this build has no metrics, so no stats screenshot\n');
  }

  // a compose project (containers with docker-compose's labels), grouped with v, its merged logs
  const compose = (service, n, script) =>
    berth(
      'run',
      '-d',
      '--name',
      `shop_${service}_${n}`,
      '-l',
      'com.docker.compose.project=shop',
      '-l',
      `com.docker.compose.service=${service}`,
      '-l',
      `com.docker.compose.container-number=${n}`,
      'bb',
      'sh',
      '-c',
      `trap "exit 0" TERM; ${script}`,
    );
  compose(
    'db',
    1,
    'echo "database system is ready to accept connections"; while true; do sleep 1.3; echo "checkpoint complete: wrote $((RANDOM % 40 + 3)) buffers"; done',
  );
  compose(
    'api',
    1,
    'i=0; while true; do i=$((i+1)); echo "GET /api/orders/$i 200 $((RANDOM % 60 + 4))ms"; sleep 0.7; done',
  );
  compose(
    'api',
    2,
    'i=0; while true; do i=$((i+1)); echo "POST /api/cart 201 $((RANDOM % 80 + 9))ms"; sleep 0.9; done',
  );
  compose('worker', 1, 'while true; do sleep 1.1; echo "sent order confirmation #$RANDOM"; done');
  keys('Escape', '1', 'v');
  await waitFor('(no project)');
  keys('g');
  await waitFor('project shop');
  await waitFor(/worker-1 \| sent order/);
  await sleep(3000); // a few lines of each service
  await shot('app-compose');
  keys('q');
} finally {
  try {
    tmux('kill-server');
  } catch {
    // gone
  }
  try {
    berth('rm', '-f', 'web', 'worker', 'migrate', 'shop_db_1', 'shop_api_1', 'shop_api_2', 'shop_worker_1');
    berth('network', 'rm', 'backend');
  } catch {
    // best effort
  }
  rmSync(base, { recursive: true, force: true });
}
