#!/usr/bin/env node
/**
 * bench/stats-cost: what live metrics cost. For 10, 100 and 300 running
 * `sleep` containers, the CPU time of berth's sampler (a process that only
 * subscribes to allStats at 1 Hz, measured with process.cpuUsage) over 30 s,
 * against the peer docker doing the same job for the same containers (run
 * with --network none): the streaming `docker stats` and `docker stats
 * --no-stream` run back to back, each measured as the CPU time of dockerd,
 * containerd and the containers' shims plus the docker CLI's own.
 *
 *   node bench/stats-cost.mjs [--counts 10,100,300] [--seconds 30] [--no-docker]
 *
 * Needs root and the peers (scripts/peers.sh). Prints one JSON object.
 * Every container it starts (in berth and in docker) is removed at the end.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const log = (s) => process.stderr.write(`${s}\n`);
const TICK = 100; // USER_HZ

// ---- the sampler alone, in its own process ------------------------------------
if (args[0] === '--sampler') {
  const [, root, runroot, seconds, expect] = args;
  const { EmbeddedBackend } = await import(pathToFileURL(join(repo, 'dist', 'client', 'embedded.js')).href);
  const b = new EmbeddedBackend({ root, runroot });
  const ac = new AbortController();
  const sizes = [];
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  setTimeout(() => ac.abort(), Number(seconds) * 1000);
  for await (const batch of b.allStats({ signal: ac.signal })) sizes.push(batch.length);
  const cpu = process.cpuUsage(c0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const counters = { ...b.engine.statsSampler.counters };
  await b.close();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(
    JSON.stringify({
      wallSeconds: wall,
      cpuSeconds,
      userSeconds: cpu.user / 1e6,
      systemSeconds: cpu.system / 1e6,
      percentOfOneCore: (cpuSeconds / wall) * 100,
      batches: sizes.length,
      everyBatchComplete: sizes.every((n) => n === Number(expect)),
      counters,
    }),
  );
  process.exit(0);
}

const counts = opt('--counts', '10,100,300').split(',').map(Number);
const seconds = Number(opt('--seconds', '30'));
const withDocker = !args.includes('--no-docker');
const fixtures = resolve(repo, 'test', 'fixtures');
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // a sandbox setting that slows every node start; not part of berth
if (withDocker) {
  const peers = resolve(repo, 'scripts', 'peers.sh');
  for (const m of execFileSync(peers, ['start'], { encoding: 'utf8' }).matchAll(/^export (\w+)=(.*)$/gm))
    env[m[1]] = m[2];
}

const base = mkdtempSync(join(tmpdir(), 'berth-bench-stats-'));
const root = join(base, 'root');
const runroot = join(base, 'run');
const berthBin = join(repo, 'dist', 'cli', 'main.cjs');
const berth = (...a) =>
  spawnSync('node', [berthBin, '--root', root, '--runroot', runroot, ...a], { env, encoding: 'utf8' });
const LABEL = `berth-bench=stats-cost-${process.pid}`;
const docker = (...a) =>
  spawnSync(env.PEER_DOCKER ?? 'docker', ['-H', env.PEER_DOCKER_HOST, ...a], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });

/** utime + stime of a process, seconds; 0 when it is gone. */
function procCpu(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return 0;
  }
}

/** CPU of this process's reaped children (the docker CLI runs), seconds. */
function childrenCpu() {
  const s = readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / TICK;
}

/** The peer docker's daemon side: dockerd, its containerd, and the shims of its containers. */
function dockerSidePids() {
  const dockerd = Number(readFileSync(join(env.PEER_STATE, 'dockerd.pid'), 'utf8'));
  const execRoot = /--exec-root (\S+)/.exec(readFileSync(`/proc/${dockerd}/cmdline`, 'utf8').replace(/\0/g, ' '))?.[1];
  const pids = [dockerd];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (execRoot && cmd.includes(execRoot) && /containerd/.test(cmd.split(' ')[0])) pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

async function measureDocker(ids, how) {
  const pids = dockerSidePids();
  const d0 = pids.reduce((a, p) => a + procCpu(p), 0);
  const c0 = childrenCpu();
  const t0 = Date.now();
  let rounds = 0;
  if (how === 'stream') {
    const child = spawn(env.PEER_DOCKER ?? 'docker', ['-H', env.PEER_DOCKER_HOST, 'stats', ...ids], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout.on('data', (d) => (rounds += (String(d).match(/\x1b\[H/g) ?? []).length));
    await new Promise((r) => setTimeout(r, seconds * 1000));
    child.kill('SIGINT');
    await new Promise((r) => child.on('exit', r));
  } else {
    while (Date.now() - t0 < seconds * 1000) {
      const r = docker('stats', '--no-stream', ...ids);
      if (r.status !== 0) throw new Error(`docker stats failed: ${r.stderr}`);
      rounds++;
    }
  }
  const wall = (Date.now() - t0) / 1000;
  const daemon = pids.reduce((a, p) => a + procCpu(p), 0) - d0;
  const client = childrenCpu() - c0;
  return {
    how,
    wallSeconds: wall,
    rounds,
    daemonCpuSeconds: daemon,
    clientCpuSeconds: client,
    percentOfOneCore: ((daemon + client) / wall) * 100,
    processes: pids.length,
  };
}

// ---- images --------------------------------------------------------------------
log('loading the busybox fixture');
if (berth('load', '-q', '-i', join(fixtures, 'busybox.docker-save.tar')).status !== 0)
  throw new Error('berth load failed');
if (withDocker && docker('load', '-q', '-i', join(fixtures, 'busybox.docker-save.tar')).status !== 0)
  throw new Error('docker load failed');

const results = [];
try {
  for (const n of counts) {
    const row = { containers: n };
    log(`berth: starting ${n} sleep containers`);
    for (let i = 0; i < n; i++) {
      const r = berth('run', '-d', '--network', 'none', 'bb', 'sleep', '3600');
      if (r.status !== 0) throw new Error(`berth run: ${r.stderr}`);
    }
    log(`berth: sampling ${n} containers for ${seconds} s`);
    const s = spawnSync(
      'node',
      [fileURLToPath(import.meta.url), '--sampler', root, runroot, String(seconds), String(n)],
      { env, encoding: 'utf8' },
    );
    if (s.status !== 0) throw new Error(`sampler: ${s.stderr}`);
    row.berth = JSON.parse(s.stdout);
    const ids = berth('ps', '-aq', '--no-trunc').stdout.trim().split('\n').filter(Boolean);
    if (ids.length) berth('rm', '-f', ...ids);

    if (withDocker) {
      log(`docker: starting ${n} sleep containers`);
      const ids = [];
      for (let i = 0; i < n; i++) {
        const r = docker('run', '-d', '--network', 'none', '--label', LABEL, 'bb', 'sleep', '3600');
        if (r.status !== 0) throw new Error(`docker run: ${r.stderr}`);
        ids.push(r.stdout.trim());
      }
      // named by ID: the peer is shared, and its docker stats (20.10) has no filter
      log(`docker: stats for ${seconds} s, streaming and --no-stream`);
      row.docker = { stream: await measureDocker(ids, 'stream'), noStream: await measureDocker(ids, 'no-stream') };
      const mine = docker('ps', '-aq', '--filter', `label=${LABEL}`).stdout.trim().split('\n').filter(Boolean);
      if (mine.length) docker('rm', '-f', ...mine);
    }
    log(JSON.stringify(row));
    results.push(row);
  }
} finally {
  const ids = berth('ps', '-aq', '--no-trunc').stdout.trim().split('\n').filter(Boolean);
  if (ids.length) berth('rm', '-f', ...ids);
  if (withDocker) {
    const mine = docker('ps', '-aq', '--filter', `label=${LABEL}`).stdout.trim().split('\n').filter(Boolean);
    if (mine.length) docker('rm', '-f', ...mine);
  }
  rmSync(base, { recursive: true, force: true });
}

process.stdout.write(
  JSON.stringify(
    {
      bench: 'stats-cost',
      seconds,
      intervalMs: 1000,
      budget: 'berth under 3 % of one core at 100 containers',
      results,
    },
    null,
    2,
  ) + '\n',
);
