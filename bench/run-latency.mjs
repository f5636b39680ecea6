#!/usr/bin/env node
/**
 * bench/run-latency: median wall time of `berth run --rm IMAGE true` against
 * `podman run --rm IMAGE true` (podman with runc, from the peers), each on its
 * default network as a user types it (berth's default bridge, podman's
 * netavark bridge), and beside them `podman run --network none` and bare
 * `runc run` of an equivalent bundle (no network: what berth was compared
 * with before it had networks), alternating runs.
 * berth is run as a user runs it: bin/berth (the npm bin), whose native
 * launcher takes the run after the image's first run (through Node) wrote its
 * run plan; the same command with BERTH_NATIVE_RUN=0 (all in Node) is
 * reported beside it. Also:
 * time to start 200 detached `sleep` containers, the monitor's resident
 * memory per container, and `berth ps` time with 200 containers.
 *
 *   node bench/run-latency.mjs [--runs N] [--many N]
 *
 * Needs root and the peers (scripts/peers.sh). Prints one JSON object.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const runs = Number(opt('--runs', '15'));
const many = Number(opt('--many', '200'));
const fixtures = resolve(repo, 'test', 'fixtures');
const log = (s) => process.stderr.write(`${s}\n`);

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // a sandbox setting that slows every node start; not part of berth
const peers = resolve(repo, 'scripts', 'peers.sh');
for (const m of execFileSync(peers, ['start'], { encoding: 'utf8' }).matchAll(/^export (\w+)=(.*)$/gm))
  env[m[1]] = m[2];

const base = mkdtempSync(join(tmpdir(), 'berth-bench-run-'));
const root = join(base, 'root');
const runroot = join(base, 'run');
const berthArgs = ['--root', root, '--runroot', runroot];
const berthBin = join(repo, 'bin', 'berth');
const berth = (...a) => spawnSync(berthBin, [...berthArgs, ...a], { env, encoding: 'utf8' });
const berthNode = (...a) =>
  spawnSync(berthBin, [...berthArgs, ...a], { env: { ...env, BERTH_NATIVE_RUN: '0' }, encoding: 'utf8' });

const time = (fn) => {
  const t = process.hrtime.bigint();
  const r = fn();
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r && r.status !== 0 && r.status !== undefined) throw new Error(`command failed: ${r.stderr || r.stdout}`);
  return s;
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- the same image everywhere ---------------------------------------------------
log('loading the busybox fixture into berth and podman; making a runc bundle');
if (berth('load', '-q', '-i', join(fixtures, 'busybox.docker-save.tar')).status !== 0)
  throw new Error('berth load failed');
spawnSync(env.PEER_PODMAN, ['load', '-q', '-i', join(fixtures, 'busybox.docker-save.tar')], { env });
const bundle = join(base, 'bundle');
mkdirSync(join(bundle, 'rootfs'), { recursive: true });
execFileSync('tar', ['-xf', join(fixtures, 'container-export.tar'), '-C', join(bundle, 'rootfs')]);
execFileSync('runc', ['spec'], { cwd: bundle });
const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
spec.process.terminal = false;
spec.process.args = ['true'];
spec.process.rlimits = []; // the sandbox may deny raising RLIMIT_NOFILE
writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));

// ---- alternating runs -------------------------------------------------------------
// the image's first run goes through Node and writes its run plan
if (berth('run', '--rm', 'bb', 'true').status !== 0) throw new Error('the first berth run failed');
const result = { berth: [], berthNode: [], podman: [], podmanNone: [], runc: [] };
for (let i = 0; i < runs; i++) {
  result.berth.push(time(() => berth('run', '--rm', 'bb', 'true')));
  result.berthNode.push(time(() => berthNode('run', '--rm', 'bb', 'true')));
  result.podman.push(
    time(() => spawnSync(env.PEER_PODMAN, ['run', '--rm', 'localhost/bb:latest', 'true'], { env, encoding: 'utf8' })),
  );
  result.podmanNone.push(
    time(() =>
      spawnSync(env.PEER_PODMAN, ['run', '--rm', '--network', 'none', 'localhost/bb:latest', 'true'], {
        env,
        encoding: 'utf8',
      }),
    ),
  );
  result.runc.push(
    time(() => spawnSync('runc', ['run', '--bundle', bundle, `bench-${process.pid}-${i}`], { env, encoding: 'utf8' })),
  );
}
const med = {
  berth: median(result.berth),
  berthNode: median(result.berthNode),
  podman: median(result.podman),
  podmanNone: median(result.podmanNone),
  runc: median(result.runc),
};

// ---- many detached containers ---------------------------------------------------------
log(`starting ${many} detached sleep containers`);
const manyStart = time(() => {
  for (let i = 0; i < many; i++) {
    const r = berth('run', '-d', 'bb', 'sleep', '3600');
    if (r.status !== 0) throw new Error(r.stderr);
  }
});
const rss = [];
const anon = [];
for (const d of readdirSync(join(runroot, 'c'))) {
  try {
    const pid = Number(readFileSync(join(runroot, 'c', d, 'monitor.pid'), 'utf8'));
    const st = readFileSync(`/proc/${pid}/status`, 'utf8');
    rss.push(Number(/VmRSS:\s+(\d+)/.exec(st)[1]));
    anon.push(Number(/RssAnon:\s+(\d+)/.exec(st)[1]));
  } catch {
    /* not running */
  }
}
const psTimes = [];
for (let i = 0; i < 5; i++) psTimes.push(time(() => berth('ps')));
const psAll = berth('ps', '-q').stdout.trim().split('\n').length;
log('removing them');
const ids = berth('ps', '-aq', '--no-trunc').stdout.trim().split('\n');
berth('rm', '-f', ...ids);

const report = {
  bench: 'run-latency',
  runs,
  seconds: result,
  median: med,
  ratios: {
    berthVsPodman: med.berth / med.podman,
    berthVsPodmanNoNetwork: med.berth / med.podmanNone,
    berthVsRunc: med.berth / med.runc,
    berthNodeVsPodman: med.berthNode / med.podman,
  },
  budget: { berthVsPodman: '<= 0.2' },
  many: {
    containers: many,
    running: psAll,
    startAllSeconds: manyStart,
    perContainerSeconds: manyStart / many,
    monitorRssKiB: { median: median(rss), max: Math.max(...rss) },
    monitorAnonKiB: { median: median(anon), max: Math.max(...anon) },
    psSeconds: median(psTimes),
  },
};
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
rmSync(base, { recursive: true, force: true });
