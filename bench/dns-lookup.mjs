#!/usr/bin/env node
/**
 * bench/dns-lookup: how long berth-dns takes to answer a name, measured with a
 * plain UDP query loop (dig starts a process per query: too slow to see
 * sub-millisecond answers). Each query goes out when the previous answer came
 * back; the time is from send to answer, in microseconds.
 *
 *   node bench/dns-lookup.mjs [--count N] [--records 1,100]
 *       runs one berth-dns per size, each with that many record files (as a
 *       network with 1 and with 100 containers has), on a veth into a network
 *       namespace of its own, and asks from inside the namespace, the sizes in
 *       alternating rounds (so that a busy moment of a shared machine hits
 *       both): p50/p95 for each and their ratio.
 *   node bench/dns-lookup.mjs --server IP --name NAME [--server IP2 --name NAME2 ...] [--count N]
 *       only the query loop, against running responders: e.g. from inside a
 *       container, `nsenter --net=/proc/PID/ns/net node bench/dns-lookup.mjs
 *       --server GATEWAY --name web1`. One JSON result per --server, in order.
 *
 * Also `import { measureLookups } from './dns-lookup.mjs'`. Needs root (for
 * the namespace) and the built berth-dns. Prints one JSON object on stdout, with
 * the load average of the (possibly shared) machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(repo, 'native', 'build', 'Release', 'berth-dns');
const WARMUP = 50;

function encodeQuery(id, name, type) {
  const parts = [Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of name.replace(/\.$/, '').split('.')) parts.push(Buffer.from([l.length]), Buffer.from(l));
  parts.push(Buffer.from([0, 0, type, 0, 1]));
  return Buffer.concat(parts);
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const round = (x) => Math.round(x * 10) / 10;

/** One query in flight on sock; the reply, or null after a second. */
function ask(sock, server, port, id, msg) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(null), 1000);
    function done(b) {
      clearTimeout(timer);
      sock.off('message', onMessage);
      resolve(b);
    }
    function onMessage(b) {
      if (b.readUInt16BE(0) === id) done(b);
    }
    sock.on('message', onMessage);
    sock.send(msg, port, server);
  });
}

/**
 * Ask each target ({server, port = 53, names}) count times for its names (in
 * turn), one query in flight, the targets in `rounds` alternating rounds. For
 * each: answer times in microseconds (p50, p95, p99, max), how many got no
 * reply within a second, and how many replies had an error or no answer. The
 * first 50 queries to each warm up and are not counted.
 */
export async function measureTargets(targets, { count = 2000, rounds = 10, type = 1 } = {}) {
  const state = targets.map((t) => ({ ...t, times: [], lost: 0, wrong: 0, sent: 0 }));
  const sockets = new Map();
  for (const t of state) {
    const family = isIPv4(t.server) ? 'udp4' : 'udp6';
    if (!sockets.has(family)) {
      const sock = createSocket(family);
      await new Promise((r) => sock.bind(0, r));
      sockets.set(family, sock);
    }
    t.sock = sockets.get(family);
  }
  let id = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      for (const t of state) {
        const n = Math.ceil(count / rounds) + (r === 0 ? WARMUP : 0);
        for (let k = 0; k < n; k++, t.sent++) {
          id = (id + 1) & 0xffff;
          const msg = encodeQuery(id, t.names[t.sent % t.names.length], type);
          const t0 = process.hrtime.bigint();
          const reply = await ask(t.sock, t.server, t.port ?? 53, id, msg);
          const us = Number(process.hrtime.bigint() - t0) / 1000;
          if (!reply) t.lost++;
          else if ((reply.readUInt16BE(2) & 0xf) !== 0 || reply.readUInt16BE(6) === 0) t.wrong++;
          if (reply && !(r === 0 && k < WARMUP)) t.times.push(us);
        }
      }
    }
  } finally {
    for (const sock of sockets.values()) sock.close();
  }
  return state.map((t) => {
    const times = t.times.sort((a, b) => a - b);
    return {
      server: t.server,
      queries: times.length,
      p50us: round(percentile(times, 50)),
      p95us: round(percentile(times, 95)),
      p99us: round(percentile(times, 99)),
      maxUs: round(times[times.length - 1]),
      lost: t.lost,
      notAnswered: t.wrong,
    };
  });
}

/** measureTargets for one server. */
export async function measureLookups({ server, port = 53, names, count = 2000, type = 1 }) {
  return (await measureTargets([{ server, port, names }], { count, type, rounds: 1 }))[0];
}

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const all = (name) => args.flatMap((a, k) => (a === name ? [args[k + 1]] : []));
const main = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);

async function standalone() {
  const count = Number(opt('--count', '2000'));
  const sizes = opt('--records', '1,100').split(',').map(Number);
  const loadAtStart = os.loadavg();
  const n = process.pid % 250;
  const ns = `bdnsb${process.pid % 10000}`;
  const host = (k) => `10.235.${n}.${k + 1}`; // the responders' addresses, on the host's end
  const nsAddr = `10.235.${n}.254`;
  const ip = (...a) => execFileSync('ip', a, { stdio: 'pipe' });
  const base = mkdtempSync(join(os.tmpdir(), 'berth-dns-bench-'));
  const pids = [];
  const results = {};
  ip('netns', 'add', ns);
  try {
    ip('link', 'add', `${ns}h`, 'type', 'veth', 'peer', 'name', `${ns}n`);
    ip('link', 'set', `${ns}n`, 'netns', ns);
    sizes.forEach((_, k) => ip('addr', 'add', `${host(k)}/24`, 'dev', `${ns}h`));
    ip('link', 'set', `${ns}h`, 'up');
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${nsAddr}/24`, 'dev', `${ns}n`);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', `${ns}n`, 'up');
    const targets = [];
    for (const [k, size] of sizes.entries()) {
      const dir = join(base, `r${size}`);
      mkdirSync(dir);
      for (let c = 0; c < size; c++) {
        const rec = {
          names: [`c${c}`, `alias${c}`, c.toString(16).padStart(12, '0')],
          ipv4: [`10.89.${c >> 8}.${c & 255}`],
        };
        writeFileSync(join(dir, `c${c}.tmp`), JSON.stringify(rec));
        renameSync(join(dir, `c${c}.tmp`), join(dir, `c${c}.json`));
      }
      const pidfile = join(base, `r${size}.pid`);
      const start = spawnSync(BIN, ['--records', dir, '--listen', host(k), '--no-forward', '--pidfile', pidfile], {
        encoding: 'utf8',
      });
      if (start.status !== 0) throw new Error(start.stderr.trim());
      pids.push(Number(readFileSync(pidfile, 'utf8')));
      // the last record's name: the one written last
      targets.push('--server', host(k), '--name', `c${size - 1}`);
    }
    const out = execFileSync(
      'ip',
      ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url), ...targets, '--count', String(count)],
      { encoding: 'utf8' },
    );
    JSON.parse(out).forEach((r, k) => {
      r.rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pids[k]}/status`, 'utf8'))[1]);
      results[`records${sizes[k]}`] = r;
    });
  } finally {
    for (const pid of pids) process.kill(pid, 'SIGTERM');
    for (let k = 0; k < 500 && pids.some((p) => existsSync(`/proc/${p}/status`)); k++)
      await new Promise((r) => setTimeout(r, 10));
    spawnSync('ip', ['link', 'del', `${ns}h`]);
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(base, { recursive: true, force: true });
  }
  const first = results[`records${sizes[0]}`];
  const last = results[`records${sizes[sizes.length - 1]}`];
  return {
    bench: 'dns-lookup',
    ...results,
    p50Ratio: Math.round((last.p50us / first.p50us) * 100) / 100,
    p95Ratio: Math.round((last.p95us / first.p95us) * 100) / 100,
    loadAverage: { start: loadAtStart, end: os.loadavg() },
  };
}

if (main && opt('--server')) {
  const servers = all('--server');
  const names = all('--name');
  const targets = servers.map((server, k) => ({ server, names: servers.length === 1 ? names : [names[k]] }));
  const r = await measureTargets(targets, { count: Number(opt('--count', '2000')) });
  process.stdout.write(JSON.stringify(r) + '\n');
} else if (main) {
  process.stdout.write(JSON.stringify(await standalone(), null, 2) + '\n');
}
