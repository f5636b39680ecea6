#!/usr/bin/env node
/**
 * bench/api.mjs: the docker CLI (28.x) against berth's API service
 * (`berth system service`) and against a private dockerd of the peer's
 * binary and flags, in the same run, in alternating rounds:
 *
 *   ps     `docker ps -a` with 300 containers (created, not started)
 *   run    `docker run --rm --network none bb true`
 *   stats  `docker stats --no-stream` with 50 running containers
 *   activation  the first `docker version` on a socket that systemd-socket-activate
 *          holds, which starts the service (as the unit pair in contrib/systemd/
 *          does), against the same command on the service once it runs
 *
 * It prints the median wall time of each side, the ratio berth/dockerd, the
 * budget from issue 17, the CPU seconds the service and dockerd used during
 * each measure, and the load average before and after.
 *
 *   node bench/api.mjs [--rounds N] [--json FILE]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, log, peerEnv, privateDockerd, repo, timed } from './lib/bench-env.mjs';
import { load1, processCpu, summary } from './lib/bench-util.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROUNDS = Number(opt('--rounds', '5'));
const JSON_OUT = opt('--json', null);
const DOCKER = '/usr/local/bin/docker';
const BUDGET = { ps: 1, run: 0.5, stats: 1 };
const PS_CONTAINERS = 300;
const STATS_CONTAINERS = 50;

const env = peerEnv();
const work = mkdtempSync(join(tmpdir(), 'berth-bench-api-'));
const berthRoot = join(work, 'berth');
const sock = join(work, 'berth.sock');

function docker(host, ...a) {
  return execFileSync(DOCKER, a, {
    encoding: 'utf8',
    env: { ...env, DOCKER_HOST: host, DOCKER_CLI_HINTS: 'false' },
    maxBuffer: 1 << 26,
  });
}

/** Start `berth system service` on a private root and socket; resolves when it listens. */
async function startService() {
  const proc = spawn(
    process.execPath,
    [
      cli,
      '--root',
      join(berthRoot, 'root'),
      '--runroot',
      join(berthRoot, 'run'),
      'system',
      'service',
      '--time',
      '0',
      `unix://${sock}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env },
  );
  for (let i = 0; i < 500 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
  if (!existsSync(sock)) throw new Error('berth system service did not listen');
  return {
    host: `unix://${sock}`,
    pid: proc.pid,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

/** n containers in parallel batches through the CLI. */
function many(host, n, what) {
  const batch = 10;
  for (let i = 0; i < n; i += batch) {
    const cmds = [];
    for (let j = i; j < Math.min(n, i + batch); j++) cmds.push(`${DOCKER} ${what} >/dev/null &`);
    execFileSync('sh', ['-c', `${cmds.join('\n')}\nwait`], { env: { ...env, DOCKER_HOST: host } });
  }
}

/** The first request on a socket-activated service: systemd-socket-activate listens, the request starts the service. */
async function activation() {
  const first = [];
  const warm = [];
  for (let r = 0; r < ROUNDS; r++) {
    const path = join(work, `activated-${r}.sock`);
    const act = spawn(
      'systemd-socket-activate',
      [
        '-l',
        path,
        process.execPath,
        cli,
        '--root',
        join(berthRoot, 'root'),
        '--runroot',
        join(berthRoot, 'run'),
      ].concat(['system', 'service', '--time', '0']),
      { stdio: ['ignore', 'ignore', 'ignore'], env },
    );
    try {
      for (let i = 0; i < 500 && !existsSync(path); i++) await new Promise((res) => setTimeout(res, 10));
      if (!existsSync(path)) throw new Error('systemd-socket-activate did not listen');
      first.push(timed(() => docker(`unix://${path}`, 'version')));
      warm.push(timed(() => docker(`unix://${path}`, 'version')));
    } finally {
      act.kill('SIGTERM');
      await new Promise((res) => act.once('exit', res));
    }
  }
  const f = summary(first);
  const w = summary(warm);
  const ms = (x) => `${(x * 1000).toFixed(1)} ms`;
  log(
    `activation: first docker version ${ms(f.median)}, then ${ms(w.median)} on the running service; load ${load1().toFixed(2)}`,
  );
  return { first: f, running: w };
}

function cpuOf(pid) {
  const c = processCpu(pid);
  return c.user + c.system;
}

async function main() {
  log(`load average before: ${load1().toFixed(2)}`);
  const berth = await startService();
  const peer = await privateDockerd(env, work, join(work, 'dockerd'));
  const sides = [
    { name: 'berth', host: berth.host, pid: berth.pid },
    { name: 'dockerd', host: peer.host, pid: peer.pid },
  ];
  const results = {};
  try {
    for (const s of sides) docker(s.host, 'load', '-q', '-i', join(repo, 'test/fixtures/busybox.docker-save.tar'));
    const measure = (name, cmd) => {
      const times = { berth: [], dockerd: [] };
      const cpu = { berth: 0, dockerd: 0 };
      for (const s of sides) docker(s.host, ...cmd); // warm-up
      for (let r = 0; r < ROUNDS; r++) {
        for (const s of r % 2 ? [...sides].reverse() : sides) {
          const c0 = cpuOf(s.pid);
          times[s.name].push(timed(() => docker(s.host, ...cmd)));
          cpu[s.name] += cpuOf(s.pid) - c0;
        }
      }
      const b = summary(times.berth);
      const d = summary(times.dockerd);
      results[name] = {
        berth: b,
        dockerd: d,
        ratio: b.median / d.median,
        budget: BUDGET[name],
        cpuPerCall: { berth: cpu.berth / ROUNDS, dockerd: cpu.dockerd / ROUNDS },
      };
      const ms = (x) => `${(x * 1000).toFixed(1)} ms`;
      log(
        `${name}: berth ${ms(b.median)}, dockerd ${ms(d.median)}, ratio ${(b.median / d.median).toFixed(2)}x ` +
          `(budget ${BUDGET[name]}x); server CPU per call berth ${ms(cpu.berth / ROUNDS)}, dockerd ${ms(cpu.dockerd / ROUNDS)}; ` +
          `load ${load1().toFixed(2)}`,
      );
    };

    measure('run', ['run', '--rm', '--network', 'none', 'bb', 'true']);

    log(`creating ${PS_CONTAINERS} containers on each side`);
    for (const s of sides) many(s.host, PS_CONTAINERS, 'create --network none -l bench=ps bb true');
    measure('ps', ['ps', '-a']);
    for (const s of sides) docker(s.host, 'container', 'prune', '-f', '--filter', 'label=bench=ps');

    log(`starting ${STATS_CONTAINERS} containers on each side`);
    for (const s of sides) many(s.host, STATS_CONTAINERS, 'run -d --network none -l bench=stats bb sleep 3600');
    measure('stats', ['stats', '--no-stream']);
    results.activation = await activation();
  } finally {
    for (const s of sides) {
      const ids = spawnSync(DOCKER, ['ps', '-aq'], { encoding: 'utf8', env: { ...env, DOCKER_HOST: s.host } }).stdout;
      if (ids?.trim())
        spawnSync(DOCKER, ['rm', '-f', ...ids.trim().split('\n')], { env: { ...env, DOCKER_HOST: s.host } });
    }
    await berth.stop();
    await peer.stop();
    rmSync(work, { recursive: true, force: true });
  }
  log(`load average after: ${load1().toFixed(2)}`);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ rounds: ROUNDS, results }, null, 2));
}

await main();
