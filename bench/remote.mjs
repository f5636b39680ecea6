#!/usr/bin/env node
/**
 * bench/remote: the full-screen app (in a pseudo-terminal, bench/lib/pty-app.mjs)
 * on another engine, each figure beside the embedded engine's:
 *
 *   - embedded: the app on its own engine, a fresh store with 20 running containers
 *   - unix:     the peer dockerd (scripts/peers.sh) over its unix socket, through a
 *               byte-counting relay of this script's (the bytes on the link)
 *   - ssh:      the peer dockerd over ssh://root@ADDR to a private sshd with a key this
 *               script makes (as test/integration/remote-hosts.test.ts does), 100 ms of
 *               delay added each way with tc netem. Not on loopback (other processes on
 *               the machine use it): the sshd runs in a network namespace of its own,
 *               reached over a veth pair that carries only this link, with netem on both
 *               ends; the namespace (veth and qdiscs with it) is deleted in a finally.
 *               The bytes on the link are the veth's counters.
 *
 * The peer gets 20 running containers too; the app's list is filtered to the bench's 20
 * (the peer has other containers, which come and go). Measured for each:
 *
 *   - first frame: start to the header with every count (budget 1 s), median of --runs; over ssh
 *     twice: cold (no ssh master: a handshake and a login first) and warm (the master an earlier
 *     berth kept, ssh-master.ts, a session of 5 s that is not counted; the bench's own
 *     XDG_RUNTIME_DIR holds it)
 *   - keypress to screen p95 for local actions, j/k in the list (budget 50 ms)
 *   - idle, from --settle seconds after the last key, over --idle seconds: CPU of the
 *     app and its children (ssh) in % of one core (budget 1 %), bytes/s on the link
 *     (budget 2 KB/s)
 *   - the Stats tab live on a running container (20 running): the same two figures
 *   - over ssh, the floor under the same delay (a "floor" line): `ssh true` with no master, and
 *     the docker CLI's `ps` (the peer's binary) with no master and on one (not counted: the first)
 *
 *   node bench/remote.mjs [--runs 3] [--keys 60] [--idle 30] [--settle 10] [--delay-ms 100]
 *                         [--only ssh+100ms|unix] [--cli PATH]
 *
 * --only: that target alone (with --only, the embedded one is not measured and gets no containers:
 * it needs nftables); --cli: the app of another build (e.g. main's dist/cli/main.cjs), to compare
 * two builds in one run, alternating.
 *
 * Needs root (containers, namespaces, tc) and the peers (`scripts/peers.sh start`).
 * Prints a line of JSON per measurement and a table at the end.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FULL_FRAME, HZ, REPO, appPid, pct, settle, sleep, startApp, stopApp, waitOutput } from './lib/pty-app.mjs';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const RUNS = Number(opt('runs', 3));
const KEYS = Number(opt('keys', 60));
const IDLE_S = Number(opt('idle', 30));
const SETTLE_S = Number(opt('settle', 10));
const DELAY_MS = Number(opt('delay-ms', 100));
const RUNNING = 20;
const ONLY = opt('only', null);
const report = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const sh = (cmd, args, o = {}) => execFileSync(cmd, args, { encoding: 'utf8', ...o });

// the peers' environment, as `eval "$(scripts/peers.sh env)"` gives it
if (!process.env.PEER_DOCKER_HOST)
  for (const m of sh(join(REPO, 'scripts', 'peers.sh'), ['env']).matchAll(/^export (\w+)=(.*)$/gm))
    process.env[m[1]] = m[2].replace(/^['"]|['"]$/g, '');
const PEER = process.env.PEER_DOCKER_HOST;
const PEER_DOCKER = process.env.PEER_DOCKER || 'docker';
if (!PEER?.startsWith('unix://')) throw new Error('the peer dockerd is not running: scripts/peers.sh start');
const peerDocker = (...a) => sh(PEER_DOCKER, ['-H', PEER, ...a]);

/**
 * CPU ticks of a process and every descendant (the app, its ssh clients), with what their
 * children that ended had used (an ssh that ended midway would otherwise take its ticks out of
 * the sum), and the shared ssh link's master (ssh's ControlMaster: in the background, no longer
 * under the app once the ssh that started it ends; this bench's is the only one of the app's).
 */
function treeTicks(root) {
  const kids = new Map();
  const ticks = new Map();
  const masters = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
      const ppid = Number(f[1]);
      ticks.set(Number(d), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
      // a session's links (berth-ssh-XXXXXX/cmN) and the kept one (berth-ssh-UID/HASH)
      if (/berth-ssh-\w+\/\w+ \[mux\]/.test(readFileSync(`/proc/${d}/cmdline`, 'utf8'))) masters.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  let sum = 0;
  const seen = new Set();
  const todo = [root, ...masters];
  while (todo.length) {
    const p = todo.pop();
    if (seen.has(p)) continue;
    seen.add(p);
    sum += ticks.get(p) ?? 0;
    todo.push(...(kids.get(p) ?? []));
  }
  return sum;
}

/** CPU % of one core of the app's tree and bytes/s on the link over `seconds`. */
async function measure(pid, link, seconds) {
  const c0 = treeTicks(pid);
  const b0 = link.bytes();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const dt = (performance.now() - t0) / 1000;
  return {
    cpuPercent: +(((treeTicks(pid) - c0) / HZ / dt) * 100).toFixed(2),
    linkBytesPerSecond: link.bytes() === null ? null : +((link.bytes() - b0) / dt).toFixed(1),
  };
}

// ---- the three targets ---------------------------------------------------------

async function embeddedTarget(base) {
  const root = join(base, 'root');
  const runroot = join(base, 'run');
  // another target alone: the store only (the app's own files), no containers
  if (ONLY && ONLY !== 'embedded')
    return { name: 'embedded', store: { root, runroot }, args: [], link: { bytes: () => null }, async close() {} };
  const { EmbeddedBackend } = await import(join(REPO, 'dist', 'client', 'embedded.js'));
  const b = new EmbeddedBackend({ root, runroot });
  await b.loadImages(createReadStream(join(REPO, 'test', 'fixtures', 'layers.docker-save.tar')));
  for (let i = 0; i < RUNNING; i++) {
    const { id } = await b.createContainer({
      image: 'bb',
      name: `berthbench-${process.pid}-${i}`,
      cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 5; done'],
    });
    await b.startContainer(id);
  }
  return {
    name: 'embedded',
    store: { root, runroot },
    args: [],
    link: { bytes: () => null },
    async close() {
      for (const c of await b.listContainers({ all: true })) await b.removeContainer(c.Id, { force: true });
      await b.close();
    },
  };
}

/** A unix socket relay to the peer's socket that counts the bytes both ways. */
async function unixTarget(base, store) {
  // a short path: the header shows it (twice, with the hosts list's name) beside the counts
  const sock = join(tmpdir(), `bbr${process.pid}.sock`);
  let bytes = 0;
  const conns = new Set();
  const server = createServer((c) => {
    const up = createConnection(PEER.slice('unix://'.length));
    conns.add(c).add(up);
    c.on('data', (d) => (bytes += d.length));
    up.on('data', (d) => (bytes += d.length));
    c.pipe(up).pipe(c);
    const end = () => (c.destroy(), up.destroy());
    c.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise((r) => server.listen(sock, r));
  return {
    name: 'unix',
    store,
    args: ['-H', `unix://${sock}`],
    link: { bytes: () => bytes },
    async close() {
      for (const c of conns) c.destroy();
      await new Promise((r) => server.close(r));
      rmSync(sock, { force: true });
    },
  };
}

/**
 * A TCP relay on 127.0.0.1 to HOST:PORT that holds every chunk `ms` in each direction
 * (order kept: the delay is the same for all), for a kernel without netem.
 */
async function delayRelay(host, port, ms) {
  const conns = new Set();
  const later = (to) => (d) => setTimeout(() => to.destroyed || to.write(d), ms);
  const server = createServer((c) => {
    const up = createConnection(port, host);
    conns.add(c).add(up);
    c.on('data', later(up));
    up.on('data', later(c));
    const end = () => setTimeout(() => (c.destroy(), up.destroy()), ms);
    c.on('error', end).on('end', end);
    up.on('error', end).on('end', end);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    close() {
      for (const c of conns) c.destroy();
      server.close();
    },
  };
}

/** sshd in a network namespace behind a veth pair with netem on both ends. */
async function sshTarget(base, store) {
  const ns = `berthbench${process.pid}`;
  const [hostIf, nsIf] = [`bbh${process.pid % 100000}`, `bbn${process.pid % 100000}`];
  const net = `10.254.${process.pid % 250}`;
  const dir = join(base, 'ssh');
  mkdirSync(dir);
  const runtime = join(base, 'ssh-runtime');
  mkdirSync(runtime, { mode: 0o700 });
  let relay = null;
  const cleanup = () => {
    relay?.close();
    relay = null;
    try {
      sh('ip', ['netns', 'pids', ns])
        .split('\n')
        .filter(Boolean)
        .forEach((p) => process.kill(Number(p), 'SIGTERM'));
    } catch {
      // no namespace
    }
    try {
      sh('ip', ['netns', 'del', ns]); // takes the veth pair and its qdiscs with it
    } catch {
      // already gone
    }
  };
  emergency.push(cleanup);
  try {
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    sh('ip', ['link', 'set', nsIf, 'netns', ns]);
    sh('ip', ['addr', 'add', `${net}.1/30`, 'dev', hostIf]);
    sh('ip', ['link', 'set', hostIf, 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `${net}.2/30`, 'dev', nsIf]);
    sh('ip', ['-n', ns, 'link', 'set', nsIf, 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // netem on lo delays each packet once per direction: the same here, one qdisc at each end;
    // a kernel without sch_netem gets the delay from a relay of this script's instead
    try {
      sh('tc', ['qdisc', 'add', 'dev', hostIf, 'root', 'netem', 'delay', `${DELAY_MS}ms`], { stdio: 'pipe' });
      sh('tc', ['-n', ns, 'qdisc', 'add', 'dev', nsIf, 'root', 'netem', 'delay', `${DELAY_MS}ms`], { stdio: 'pipe' });
    } catch (e) {
      if (!/qdisc kind is unknown/.test(String(e.stderr))) throw e;
      relay = await delayRelay(`${net}.2`, 22, DELAY_MS);
      process.stderr.write(
        `no netem in this kernel: ${DELAY_MS} ms each way added by a relay on 127.0.0.1:${relay.port}\n`,
      );
    }
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id.pub')));
    chmodSync(join(dir, 'authorized_keys'), 0o600);
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        'Port 22',
        `ListenAddress ${net}.2`,
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        `SetEnv DOCKER_HOST=${PEER}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'ssh_config'),
      [
        'Host *',
        `  IdentityFile ${join(dir, 'id')}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
        '  StrictHostKeyChecking accept-new',
        '  BatchMode yes',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'ssh'), `#!/bin/sh\nexec ssh -F ${join(dir, 'ssh_config')} "$@"\n`);
    chmodSync(join(dir, 'ssh'), 0o755);
    // the docker CLI runs `ssh` from PATH: a directory with one named so, without a master and with one
    const ssh = sh('sh', ['-c', 'command -v ssh']).trim();
    for (const [d, extra] of [
      ['peer-cold', ''],
      ['peer-warm', ` -o ControlMaster=auto -o ControlPath=${runtime}/peer-cm -o ControlPersist=60`],
    ]) {
      mkdirSync(join(dir, d));
      writeFileSync(join(dir, d, 'ssh'), `#!/bin/sh\nexec ${ssh} -F ${join(dir, 'ssh_config')}${extra} "$@"\n`);
      chmodSync(join(dir, d, 'ssh'), 0o755);
    }
    mkdirSync('/run/sshd', { recursive: true });
    spawn('ip', ['netns', 'exec', ns, '/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')], {
      stdio: 'ignore',
    }).unref();
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        // not execFileSync: the relay runs on this process's event loop
        const code = await new Promise((r) =>
          spawn(
            join(dir, 'ssh'),
            ['-p', String(relay?.port ?? 22), `root@${relay ? '127.0.0.1' : `${net}.2`}`, 'true'],
            {
              stdio: 'ignore',
            },
          ).on('exit', r),
        );
        if (code !== 0) throw new Error(`ssh to the bench's sshd: exit status ${code}`);
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await sleep(200);
      }
    }
  } catch (e) {
    cleanup();
    throw e;
  }
  const counter = (k) => Number(readFileSync(`/sys/class/net/${hostIf}/statistics/${k}_bytes`, 'utf8'));
  return {
    name: `ssh+${DELAY_MS}ms`,
    delay: relay ? 'relay' : 'netem',
    store,
    args: ['-H', relay ? `ssh://root@127.0.0.1:${relay.port}` : `ssh://root@${net}.2`],
    env: { BERTH_SSH: join(dir, 'ssh'), XDG_RUNTIME_DIR: runtime },
    link: { bytes: () => counter('rx') + counter('tx') },
    /** The floor under the same delay: ssh alone (no master), the docker CLI's `ps` cold and on a master. */
    async peer() {
      const [host, port] = relay ? ['127.0.0.1', String(relay.port)] : [`${net}.2`, '22'];
      const runs = async (cmd, args, env = {}, first = false) => {
        const times = [];
        for (let i = first ? -1 : 0; i < RUNS; i++) {
          const t0 = performance.now();
          // not execFileSync: the relay runs on this process's event loop
          const code = await new Promise((r) =>
            spawn(cmd, args, { stdio: 'ignore', env: { ...process.env, ...env } }).on('exit', r),
          );
          if (code !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit status ${code}`);
          if (i >= 0) times.push(performance.now() - t0);
        }
        return { medianMs: +pct(times, 50).toFixed(1), runs: times.map((x) => +x.toFixed(1)) };
      };
      const docker = ['-H', `ssh://root@${host}:${port}`, 'ps', '-q'];
      const path = (d) => ({ PATH: `${join(dir, d)}:${process.env.PATH}` });
      return {
        sshTrueCold: await runs(join(dir, 'ssh'), ['-o', 'ControlMaster=no', '-p', port, `root@${host}`, 'true']),
        dockerPsCold: await runs(PEER_DOCKER, docker, path('peer-cold')),
        // the first makes the master, not counted
        dockerPsWarm: await runs(PEER_DOCKER, docker, path('peer-warm'), true),
      };
    },
    /** No master left: the next app makes its link (a handshake and a login). */
    cold: () => endMasters(runtime),
    async close() {
      endMasters(runtime);
      cleanup();
    },
  };
}

/** End the ssh masters the app kept under `dir` (the bench's XDG_RUNTIME_DIR): the processes of this bench's apps. */
function endMasters(dir) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(`${dir}/`)) process.kill(Number(d), 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
}

// ---- the measurements ----------------------------------------------------------

/** Every target's app in a terminal this wide: a remote header names the host and endpoint beside the counts. */
const COLUMNS = 180;
const open = (t) => startApp(t.store, t.env ?? {}, t.args, { cols: COLUMNS });

/** `warm`: after one run that is not counted (its ssh master stays); cold: no master before each run. */
async function firstFrame(t, warm = false) {
  const times = [];
  for (let i = warm ? -1 : 0; i < RUNS; i++) {
    if (!warm) t.cold?.();
    if (!warm) await sleep(200);
    const app = open(t);
    try {
      const at = await waitOutput(app, (o) => FULL_FRAME.test(o), 60_000);
      if (i >= 0) times.push(at - app.t0);
      // the earlier berth of a warm start is a session, not a blink: what it learns in its first
      // seconds (where the engine's socket is, ssh-forward.ts) is there for the next
      await settle(app, i < 0 ? 5000 : 300);
    } finally {
      await stopApp(app);
    }
  }
  return { medianMs: +pct(times, 50).toFixed(1), runs: times.map((x) => +x.toFixed(1)) };
}

async function keysIdleStats(t) {
  const app = open(t);
  try {
    return await keysIdleStatsOn(t, app);
  } finally {
    await stopApp(app);
  }
}

async function keysIdleStatsOn(t, app) {
  await waitOutput(app, (o) => FULL_FRAME.test(o), 60_000);
  await settle(app, 2000);
  // the bench's own containers only (another engine has others, which may come and go): the list
  // is the same on every target, each key moves the selection, and the first row runs
  app.child.stdin.write(`/berthbench-${process.pid}-\r`);
  // (on the embedded engine they are all there is: nothing to say "shown")
  const filtered = new RegExp(`${RUNNING} shown|${RUNNING} running / ${RUNNING}\\b`);
  await waitOutput(app, (o) => filtered.test(o.slice(-20_000)), 20_000);
  await settle(app, 2000);
  const pid = appPid(app);
  const lat = [];
  for (let i = 0; i < KEYS; i++) {
    const before = app.bytes;
    const t0 = performance.now();
    const got = waitOutput(app, () => app.bytes > before, 5000).catch(() => null);
    app.child.stdin.write(i % 2 ? 'k' : 'j');
    const at = await got;
    if (at === null) throw new Error(`${t.name}: key ${i} (${i % 2 ? 'k' : 'j'}) drew nothing in 5 s`);
    lat.push(at - t0);
    await settle(app, 150);
  }
  await sleep(SETTLE_S * 1000);
  const idle = await measure(pid, t.link, IDLE_S);
  // the Stats tab of the first container (the list sorts the running ones first)
  app.child.stdin.write('g]');
  const mark = app.bytes;
  const since = () => app.out.slice(-Math.max(1, app.bytes - mark));
  const charts = await waitOutput(app, () => /Memory/.test(since()) && /PIDs/.test(since()), 30_000).then(
    () => true,
    () => false,
  );
  let stats = null;
  if (!charts)
    process.stderr.write(
      `${t.name}: no Stats charts within 30 s; the screen's end: ${JSON.stringify(since().slice(-600))}\n`,
    );
  if (charts) {
    await sleep(3000);
    stats = await measure(pid, t.link, IDLE_S);
  }
  return {
    keys: { p50Ms: +pct(lat, 50).toFixed(1), p95Ms: +pct(lat, 95).toFixed(1), presses: lat.length },
    idle,
    stats,
  };
}

// ---- main ----------------------------------------------------------------------

const base = mkdtempSync(join(tmpdir(), 'berth-bench-remote-'));
const names = Array.from({ length: RUNNING }, (_, i) => `berthbench-${process.pid}-${i}`);
const targets = [];
const results = [];
const load0 = loadavg()[0];
// a signal: the namespace (with its veth and delay) and the peer's containers go first
const emergency = [];
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    for (const fn of emergency) {
      try {
        fn();
      } catch {
        // best effort
      }
    }
    process.exit(130);
  });
emergency.push(() => peerDocker('rm', '-f', ...names));
try {
  peerDocker('load', '-i', join(REPO, 'test', 'fixtures', 'busybox.docker-save.tar'));
  for (const n of names) peerDocker('run', '-d', '--name', n, 'bb:latest', 'sleep', '3600');
  const embedded = await embeddedTarget(base);
  targets.push(embedded);
  targets.push(await unixTarget(base, embedded.store));
  targets.push(await sshTarget(base, embedded.store));
  for (const t of targets) {
    if (ONLY && t.name !== ONLY) continue;
    process.stderr.write(`measuring ${t.name} ...\n`);
    const ff = await firstFrame(t);
    const warm = t.cold ? await firstFrame(t, true) : null;
    const k = await keysIdleStats(t);
    const peer = t.peer ? await t.peer() : null;
    const r = {
      target: t.name,
      firstFrame: ff,
      ...(warm ? { firstFrameWarm: warm } : {}),
      ...k,
      ...(peer ? { peer } : {}),
    };
    results.push(r);
    report({ bench: 'remote', ...r, ...(t.delay ? { delay: t.delay } : {}), loadAverage: +loadavg()[0].toFixed(2) });
  }
  const emb = results.find((r) => r.target === 'embedded');
  const cell = (r, f) => (r ? f(r) : '-');
  process.stderr.write(
    `\nload average ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}; ${RUNNING} running containers each; over ssh` +
      ' the first frame is cold (no ssh master), (warm) on the master an earlier berth kept\n',
  );
  process.stderr.write(
    'target          first frame  (warm)     key p95   idle CPU  idle link B/s  Stats CPU  Stats link B/s\n',
  );
  for (const r of results)
    process.stderr.write(
      [
        r.target.padEnd(15),
        `${r.firstFrame.medianMs} ms`.padStart(11),
        cell(r.firstFrameWarm, (w) => `${w.medianMs} ms`).padStart(9),
        `${r.keys.p95Ms} ms`.padStart(9),
        `${r.idle.cpuPercent} %`.padStart(9),
        String(r.idle.linkBytesPerSecond ?? '-').padStart(14),
        cell(r.stats, (s) => `${s.cpuPercent} %`).padStart(10),
        cell(r.stats, (s) => String(s.linkBytesPerSecond ?? '-')).padStart(15),
      ].join('  ') +
        (r === emb ? '  (embedded: the reference)' : '') +
        '\n',
    );
  for (const r of results.filter((x) => x.peer))
    process.stderr.write(
      `${r.target} floor: ssh true with no master ${r.peer.sshTrueCold.medianMs} ms; docker CLI (peer) ps cold ` +
        `${r.peer.dockerPsCold.medianMs} ms, on an ssh master ${r.peer.dockerPsWarm.medianMs} ms\n`,
    );
} finally {
  for (const t of targets.reverse()) await t.close().catch((e) => process.stderr.write(`cleanup: ${e.message}\n`));
  try {
    peerDocker('rm', '-f', ...names);
  } catch {
    // some were never made
  }
  rmSync(base, { recursive: true, force: true });
}
