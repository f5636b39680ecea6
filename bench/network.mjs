#!/usr/bin/env node
/**
 * bench/network: the four measures of issue 15, each in alternating rounds so
 * that a busy moment of a shared machine hits both sides.
 *
 * 1. `berth run --rm bb true` on the default bridge (bin/berth, as a user runs
 *    it: the native launcher) against `podman run --rm` with podman's default
 *    network (netavark's bridge); median wall time and ratio (budget: <= 0.3x).
 * 2. TCP throughput of a download from a container (busybox httpd, a file in
 *    its /w) through a published port (from 127.0.0.1 and from this
 *    machine's own address) against the same download straight from the
 *    container's address (budget: >= 0.9x): --rounds rounds of --mib MiB on
 *    each path, the paths interleaved within each round in every order; the
 *    ratio is the median of the per-round ratios, with their spread
 *    (bench/lib/tcp-throughput.mjs).
 * 3. A name lookup from inside a container on a user-defined network (the
 *    query loop of bench/dns-lookup.mjs in the container's network namespace,
 *    asking the network's berth-dns for another container's name): p50/p95.
 * 4. Two user-defined networks, one with 1 container and one with 100: the
 *    lookup p50 on each and `berth run --rm --network NET bb true` on each,
 *    alternating; ratios 100 vs 1 (budget: flat).
 *
 *   node bench/network.mjs [--runs N] [--mib N] [--rounds N] [--count N] [--many N] [--only run,throughput,dns] [--receiver node|curl]
 *
 * Needs root, the built tree (npm run build) and the peers (scripts/peers.sh:
 * podman). Prints one JSON object on stdout (progress on stderr) with the load
 * average at each step: numbers taken on a shared machine are noisy.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { networkInterfaces, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, median, peerEnv, repo } from './lib/bench-env.mjs';
import { throughputRounds } from './lib/tcp-throughput.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => Number(args.includes(name) ? args[args.indexOf(name) + 1] : def);
const runs = opt('--runs', 10);
const mib = opt('--mib', 256);
const tputRounds = opt('--rounds', 12);
const count = opt('--count', 2000);
const many = opt('--many', 100);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : ['run', 'throughput', 'dns'];
/** Who receives the throughput downloads: this process (node:http) or curl (C). */
const receiver = args.includes('--receiver') ? args[args.indexOf('--receiver') + 1] : 'node';
if (!['node', 'curl'].includes(receiver)) throw new Error(`--receiver: node or curl, not ${receiver}`);
const want = (measure) => only.includes(measure);

const env = peerEnv();
delete env.NODE_EXTRA_CA_CERTS; // a sandbox setting that slows every node start; not part of berth
const base = mkdtempSync(join(tmpdir(), 'berth-bench-net-'));
const root = join(base, 'root');
const berthArgs = ['--root', root, '--runroot', join(base, 'run')];
const BIN = join(repo, 'bin', 'berth');
const loads = {};
const noteLoad = (step) => (loads[step] = loadavg().map((x) => Math.round(x * 100) / 100));

function berth(...a) {
  const r = spawnSync(BIN, [...berthArgs, ...a], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`berth ${a.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout.trim();
}
const podman = (...a) => {
  const r = spawnSync(env.PEER_PODMAN, a, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`podman ${a.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const seconds = (fn) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
};
const ms = (s) => Math.round(s * 10000) / 10;
const ratio = (a, b) => Math.round((a / b) * 1000) / 1000;
const inspect = (tmpl, c) => berth('inspect', '-f', tmpl, c);

function hostAddress() {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (name === 'lo' || /^(berth|br-|vb|veth|podman|docker|cni)/.test(name)) continue;
    const a = (addrs ?? []).find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return a.address;
  }
  return null;
}

/** A reader of the CPU time (ns) of the cgroup of a process: cgroup v1's cpuacct.usage, or v2's cpu.stat. */
function cgroupCpuNs(pid) {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const v1 = lines.find((l) => /^\d+:[^:]*\bcpuacct\b[^:]*:/.test(l));
  if (v1) {
    const [, ctrl, path] = v1.split(':');
    const file = join('/sys/fs/cgroup', ctrl, path, 'cpuacct.usage');
    return () => Number(readFileSync(file, 'utf8'));
  }
  const v2 = lines.find((l) => l.startsWith('0::'));
  const file = join('/sys/fs/cgroup', v2.slice(3), 'cpu.stat');
  return () => Number(/^usage_usec (\d+)/m.exec(readFileSync(file, 'utf8'))[1]) * 1000;
}

/** The lookup loop of bench/dns-lookup.mjs in a container's network namespace. */
function lookups(container, server, name) {
  const pid = inspect('{{.State.Pid}}', container);
  const out = execFileSync(
    'nsenter',
    [
      `--net=/proc/${pid}/ns/net`,
      process.execPath,
      join(repo, 'bench', 'dns-lookup.mjs'),
      '--server',
      server,
      '--name',
      name,
      '--count',
      String(count),
    ],
    { env, encoding: 'utf8' },
  );
  const r = JSON.parse(out)[0];
  if (r.notAnswered || r.lost > count / 100) throw new Error(`lookups of ${name}: ${JSON.stringify(r)}`);
  return r;
}

const result = {
  conditions: {
    cores: (await import('node:os')).cpus().length,
    runs,
    mib,
    rounds: tputRounds,
    count,
    many,
    only,
    receiver,
  },
};
try {
  log('loading the busybox fixture into berth and podman');
  berth('load', '-q', '-i', join(repo, 'test', 'fixtures', 'busybox.docker-save.tar'));
  spawnSync(env.PEER_PODMAN, ['load', '-q', '-i', join(repo, 'test', 'fixtures', 'busybox.docker-save.tar')], { env });

  if (want('run')) {
    // ---- 1. run --rm on the default bridge against podman's default network ---------------------------------
    log(`1. run --rm: ${runs} alternating rounds`);
    berth('run', '--rm', 'bb', 'true'); // the image's first run goes through Node and writes its run plan
    podman('run', '--rm', 'localhost/bb:latest', 'true');
    const runB = [];
    const runP = [];
    for (let i = 0; i < runs; i++) {
      const first = i % 2 ? 'podman' : 'berth';
      for (const who of first === 'berth' ? ['berth', 'podman'] : ['podman', 'berth']) {
        if (who === 'berth') runB.push(seconds(() => berth('run', '--rm', 'bb', 'true')));
        else runP.push(seconds(() => podman('run', '--rm', 'localhost/bb:latest', 'true')));
      }
    }
    noteLoad('run');
    result.run = {
      berthMs: ms(median(runB)),
      podmanMs: ms(median(runP)),
      ratio: ratio(median(runB), median(runP)),
      berthAllMs: runB.map(ms),
      podmanAllMs: runP.map(ms),
    };
    log(JSON.stringify(result.run));
  }

  // ---- 2. TCP throughput through a published port against straight to the container -----------------------
  if (want('throughput')) {
    log(`2. throughput: ${tputRounds} rounds of ${mib} MiB on each path`);
    const bytes = mib * 1048576;
    berth(
      'run',
      '-d',
      '--name',
      'tput',
      '-p',
      '0:80',
      'bb',
      'sh',
      '-c',
      `mkdir -p /w && dd if=/dev/zero of=/w/big bs=1048576 count=${mib} 2>/dev/null && touch /w/ready && httpd -f -p 80 -h /w`,
    );
    const port = Number(berth('port', 'tput', '80').split('\n')[0].split(':').pop());
    const ip = inspect('{{.NetworkSettings.IPAddress}}', 'tput');
    for (let i = 0; ; i++) {
      if (spawnSync(BIN, [...berthArgs, 'exec', 'tput', 'ls', '/w/ready'], { env }).status === 0) break;
      if (i === 300) throw new Error('the container never wrote its file');
      await new Promise((r) => setTimeout(r, 100));
    }
    const self = hostAddress();
    const paths = { direct: [ip, 80], loopback: ['127.0.0.1', port], ...(self ? { hostAddress: [self, port] } : {}) };
    const t = await throughputRounds({
      paths,
      ref: 'direct',
      file: '/big',
      bytes,
      rounds: tputRounds,
      floor: 0.9,
      log,
      serverCpuNs: cgroupCpuNs(Number(inspect('{{.State.Pid}}', 'tput'))),
      receiver,
    });
    noteLoad('throughput');
    result.throughput = {
      MiBs: t.MiBs,
      cpuMsPerGiB: t.cpuMsPerGiB,
      loopbackRatio: t.ratios.loopback.median,
      ...(self ? { hostAddressRatio: t.ratios.hostAddress.median } : {}),
      ratios: t.ratios,
      loadavg1: t.loadavg1,
    };
    log(
      JSON.stringify({
        MiBs: t.MiBs,
        cpuMsPerGiB: t.cpuMsPerGiB,
        loopback: t.ratios.loopback,
        hostAddress: t.ratios.hostAddress,
      }),
    );
    berth('rm', '-f', 'tput');
  }

  if (want('dns')) {
    // ---- 3 and 4. lookups inside a container; 1 against 100 containers on a network --------------------------
    log(`3-4. networks with 1 and ${many} containers`);
    for (const n of ['one', 'hundred']) berth('network', 'create', `net-${n}`);
    const gw = (n) => JSON.parse(berth('network', 'inspect', `net-${n}`))[0].IPAM.Config[0].Gateway;
    berth('run', '-d', '--name', 'asker-one', '--network', 'net-one', 'bb', 'sleep', '3600');
    berth('run', '-d', '--name', 'asker-hundred', '--network', 'net-hundred', 'bb', 'sleep', '3600');
    for (let i = 1; i < many; i++)
      berth('run', '-d', '--name', `peer${i}`, '--network', 'net-hundred', 'bb', 'sleep', '3600');
    noteLoad('started');
    const dns = { one: [], hundred: [] };
    const runN = { one: [], hundred: [] };
    // each asker asks its own network's responder for a container there (itself; the last peer)
    const target = { one: 'asker-one', hundred: `peer${many - 1}` };
    for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
      const order = i % 2 ? ['hundred', 'one'] : ['one', 'hundred'];
      for (const n of order) dns[n].push(lookups(`asker-${n}`, gw(n), target[n]));
      for (const n of order) runN[n].push(seconds(() => berth('run', '--rm', '--network', `net-${n}`, 'bb', 'true')));
    }
    noteLoad('lookups');
    const p50 = (n) => median(dns[n].map((r) => r.p50us));
    result.lookup = {
      p50Us: Math.round(p50('one') * 10) / 10,
      p95Us: Math.round(median(dns.one.map((r) => r.p95us)) * 10) / 10,
    };
    result.scale = {
      lookupP50Us: { one: Math.round(p50('one') * 10) / 10, hundred: Math.round(p50('hundred') * 10) / 10 },
      lookupRatio: ratio(p50('hundred'), p50('one')),
      runMs: { one: ms(median(runN.one)), hundred: ms(median(runN.hundred)) },
      runRatio: ratio(median(runN.hundred), median(runN.one)),
    };
    log(JSON.stringify({ lookup: result.lookup, scale: result.scale }));
  }
} finally {
  log('cleaning up');
  try {
    const ids = berth('ps', '-aq');
    if (ids) berth('rm', '-f', ...ids.split('\n'));
    berth('network', 'prune', '-f');
  } catch (e) {
    log(`cleanup: ${e.message}`);
  }
  // the store's bridges and nftables table (src/engine/network/scope.ts names the table)
  for (const n of execFileSync('ls', ['/sys/class/net'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    let alias = '';
    try {
      alias = execFileSync('cat', [`/sys/class/net/${n}/ifalias`], { encoding: 'utf8' }).trim();
    } catch {
      /* none */
    }
    if (alias === `berth:${root}`) spawnSync('ip', ['link', 'del', 'dev', n]);
  }
  spawnSync('nft', ['delete', 'table', 'inet', `berth_${createHash('sha256').update(root).digest('hex').slice(0, 8)}`]);
  rmSync(base, { recursive: true, force: true });
}
result.loadavg = loads;
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
