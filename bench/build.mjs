#!/usr/bin/env node
/**
 * bench/build: `berth build` against `docker build` on the peer dockerd
 * (BuildKit through DOCKER_BUILDKIT=1, `--network none` for both: the peer
 * has no bridge), alternating runs in the same process:
 *
 *   cold   a multi-stage Dockerfile of 20 steps over the fixtures' busybox,
 *          with --no-cache (every step runs; the base image is there)
 *   warm   the same build again, everything cached
 *   copy   `COPY . /ctx` of a context of 10,000 small files, one of which is
 *          edited before each build (a user's edit and rebuild): every
 *          build makes a new layer, for docker and berth alike
 *   copysame  the same COPY with --no-cache and no edit: berth finds the
 *          layer in its store and writes no file (reported apart; not the
 *          budget's figure)
 *
 * berth is run as a user runs it (bin/berth, which hands build to Node).
 * Budgets (issue 16): cold <= 0.7x docker; warm <= 0.3x docker and under
 * 300 ms; copy <= 0.5x docker. The machine's load average is reported with
 * the numbers.
 *
 *   node bench/build.mjs [--runs N] [--only cold,warm,copy,copysame] [--cli PATH]
 *
 * --only runs those cases alone (the untimed first build is always made).
 * --cli also measures another build of berth (its dist/cli/main.cjs, whose
 * checkout's bin/berth is run, with a root of its own), alternated with this
 * one and docker in the same runs: e.g. --cli /work/main/dist/cli/main.cjs.
 *
 * Needs root and the peers (scripts/peers.sh). Prints one JSON object.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const runs = Number(opt('--runs', '5'));
const CASES = ['cold', 'warm', 'copy', 'copysame'];
const only = opt('--only', CASES.join(',')).split(',');
const otherCli = opt('--cli', null);
if (args.includes('--help') || !(runs >= 1) || only.some((c) => !CASES.includes(c))) {
  process.stderr.write(`usage: node bench/build.mjs [--runs N] [--only ${CASES.join(',')}] [--cli PATH]\n`);
  process.exit(args.includes('--help') ? 0 : 2);
}
const fixtures = resolve(repo, 'test', 'fixtures');
const log = (s) => process.stderr.write(`${s}\n`);

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // a sandbox setting that slows every node start; not part of berth
const peers = resolve(repo, 'scripts', 'peers.sh');
for (const m of execFileSync(peers, ['start'], { encoding: 'utf8' }).matchAll(/^export (\w+)=(.*)$/gm))
  env[m[1]] = m[2];

const base = mkdtempSync(join(tmpdir(), 'berth-bench-build-'));
const berthOf = (pkg, name) => {
  const a = ['--root', join(base, `root-${name}`), '--runroot', join(base, `run-${name}`)];
  return (...b) => spawnSync(join(pkg, 'bin', 'berth'), [...a, ...b], { env, encoding: 'utf8' });
};
const berth = berthOf(repo, 'berth');
const other = otherCli ? berthOf(resolve(otherCli, '..', '..', '..'), 'other') : null;
const engines = other ? ['berth', 'other', 'docker'] : ['berth', 'docker'];
const docker = (...a) =>
  spawnSync(env.PEER_DOCKER, ['-H', env.PEER_DOCKER_HOST, ...a], {
    env: { ...env, DOCKER_BUILDKIT: '1' },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });

const time = (fn) => {
  const t = process.hrtime.bigint();
  const r = fn();
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`command failed: ${r.stderr || r.stdout}`);
  return s;
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- the contexts ----------------------------------------------------------------
const BASE = `berth-bench-build-${process.pid}/bb:1`;
const multi = join(base, 'multi');
mkdirSync(join(multi, 'files'), { recursive: true });
for (let i = 0; i < 20; i++) writeFileSync(join(multi, 'files', `f${i}`), `file ${i}\n`.repeat(50));
writeFileSync(join(multi, 'script.sh'), '#!/bin/sh\necho "built at $(date)"\nls /app\n', { mode: 0o755 });
writeFileSync(join(multi, 'config.txt'), 'setting=1\n');
// 20 steps in three stages; deps and tools build in parallel
writeFileSync(
  join(multi, 'Dockerfile'),
  [
    `FROM ${BASE} AS deps`,
    'RUN mkdir -p /deps && for i in $(seq 1 50); do echo "dep $i" > /deps/$i; done',
    'WORKDIR /deps',
    'COPY files/ /deps/files/',
    'RUN ls -la > /deps/listing',
    `FROM ${BASE} AS tools`,
    'RUN mkdir /tools && echo tool > /tools/t',
    'COPY script.sh /tools/',
    'RUN chmod 755 /tools/script.sh',
    `FROM ${BASE}`,
    'COPY --from=deps /deps /app/deps',
    'COPY --from=tools /tools /app/tools',
    'WORKDIR /app',
    'ENV A=1 B=2',
    'RUN /app/tools/script.sh > out.txt',
    'COPY config.txt .',
    'RUN cat config.txt >> out.txt',
    'LABEL bench=build',
    'EXPOSE 8080',
    'USER 1000',
    'CMD ["sh"]',
  ].join('\n') + '\n',
);
const many = join(base, 'many');
for (let d = 0; d < 100; d++) {
  mkdirSync(join(many, `d${d}`), { recursive: true });
  for (let f = 0; f < 100; f++) writeFileSync(join(many, `d${d}`, `f${f}`), `dir ${d} file ${f}\n`);
}
writeFileSync(join(many, 'Dockerfile'), `FROM ${BASE}\nCOPY . /ctx\n`);

log('loading the busybox fixture into berth and the peer');
for (const b of other ? [berth, other] : [berth]) {
  if (b('load', '-q', '-i', join(fixtures, 'busybox.docker-save.tar')).status !== 0)
    throw new Error('berth load failed');
  if (b('tag', 'bb', BASE).status !== 0) throw new Error('berth tag failed');
}
const loaded = docker('load', '-q', '-i', join(fixtures, 'busybox.docker-save.tar'));
if (loaded.status !== 0) throw new Error(loaded.stderr);
docker('tag', 'bb:latest', BASE);

const build = (engine, dir, extra = []) =>
  engine === 'docker'
    ? docker('build', '-q', '--network', 'none', ...extra, dir)
    : (engine === 'other' ? other : berth)('build', '-q', '--network', 'none', ...extra, dir);

// one untimed build each: the base image's first use, the page cache
for (const e of engines) time(() => build(e, multi));

const result = Object.fromEntries(only.map((c) => [c, Object.fromEntries(engines.map((e) => [e, []]))]));
const load = [];
for (let i = 0; i < runs; i++) {
  load.push(loadavg()[0]);
  // the order turns each run, so that none is always first
  const order = engines.map((_, j) => engines[(i + j) % engines.length]);
  if (result.cold) for (const e of order) result.cold[e].push(time(() => build(e, multi, ['--no-cache'])));
  if (result.warm) for (const e of order) result.warm[e].push(time(() => build(e, multi)));
  if (result.copy)
    for (const e of order) {
      // one file's bytes differ from every earlier build's: the COPY's layer is new
      writeFileSync(join(many, 'd0', 'f0'), `edited for run ${i} of ${e} (${process.pid})\n`);
      result.copy[e].push(time(() => build(e, many, ['--no-cache'])));
    }
  if (result.copysame) {
    writeFileSync(join(many, 'd0', 'f0'), 'dir 0 file 0\n');
    for (const e of order) result.copysame[e].push(time(() => build(e, many, ['--no-cache'])));
  }
  log(`run ${i + 1}/${runs}: load ${loadavg()[0].toFixed(1)}`);
}
load.push(loadavg()[0]);

const med = Object.fromEntries(
  Object.entries(result).map(([k, v]) => [k, Object.fromEntries(engines.map((e) => [e, median(v[e])]))]),
);
const ratios = Object.fromEntries(Object.entries(med).map(([k, m]) => [k, m.berth / m.docker]));
const otherRatios = other
  ? Object.fromEntries(Object.entries(med).map(([k, m]) => [k, m.other / m.docker]))
  : undefined;
const report = {
  bench: 'build',
  runs,
  ...(other ? { otherCli: resolve(otherCli) } : {}),
  loadAverage: { min: Math.min(...load), max: Math.max(...load) },
  seconds: result,
  median: med,
  ratios,
  ...(otherRatios ? { otherRatios } : {}),
  budget: { cold: '<= 0.7', warm: '<= 0.3 and under 0.3 s', copy: '<= 0.5 (copysame: reported, no budget)' },
};
process.stdout.write(JSON.stringify(report, null, 2) + '\n');

// the peer is shared: leave only what was there
const ids = docker('images', '-q', '--filter', `reference=berth-bench-build-${process.pid}/*`).stdout.split('\n');
docker('rmi', '-f', BASE, ...new Set(ids.filter(Boolean)));
docker('builder', 'prune', '-f', '--filter', 'unused-for=1m');
rmSync(base, { recursive: true, force: true });
