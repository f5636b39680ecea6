#!/usr/bin/env node
/**
 * bench/dns-lookup: how long berth-dns takes to answer a name, measured with a
 * plain UDP query loop (dig starts a process per query: too slow to see
 * sub-millisecond answers). Each query goes out when the previous answer came
 * back; the time is from send to answer, in microseconds.
 *
 *   node bench/dns-lookup.mjs [--count N] [--records 1,100]
 *       runs berth-dns on a veth into a network namespace of its own, with 1 and
 *       with 100 record files (as a network with 1 and 100 containers has), and
 *       asks from inside the namespace: p50/p95 for each and their ratio.
 *   node bench/dns-lookup.mjs --server IP --name NAME [--name NAME2 ...] [--count N]
 *       only the query loop, against a running responder: e.g. from inside a
 *       container, `nsenter --net=/proc/PID/ns/net node bench/dns-lookup.mjs
 *       --server GATEWAY --name web1` (bench/network.mjs does this).
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

function encodeQuery(id, name, type) {
  const labels = name.replace(/\.$/, '').split('.');
  const parts = [Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l));
  parts.push(Buffer.from([0, 0, type, 0, 1]));
  return Buffer.concat(parts);
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/**
 * Ask server:port for names (in turn), count times, one query in flight; the
 * answer times in microseconds (p50, p95, p99, max) and how many got no answer
 * within a second. The first 50 queries warm up and are not counted.
 */
export async function measureLookups({ server, port = 53, names, count = 2000, type = 1 }) {
  const sock = createSocket(isIPv4(server) ? 'udp4' : 'udp6');
  await new Promise((r) => sock.bind(0, r));
  const times = [];
  let lost = 0;
  let wrong = 0;
  try {
    for (let k = 0; k < count + 50; k++) {
      const id = k & 0xffff;
      const msg = encodeQuery(id, names[k % names.length], type);
      const t0 = process.hrtime.bigint();
      const reply = await new Promise((resolve) => {
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
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      if (!reply) lost++;
      else if ((reply.readUInt16BE(2) & 0xf) !== 0 || reply.readUInt16BE(6) === 0) wrong++;
      if (k >= 50 && reply) times.push(us);
    }
  } finally {
    sock.close();
  }
  times.sort((a, b) => a - b);
  const round = (x) => Math.round(x * 10) / 10;
  return {
    queries: count,
    p50us: round(percentile(times, 50)),
    p95us: round(percentile(times, 95)),
    p99us: round(percentile(times, 99)),
    maxUs: round(times[times.length - 1]),
    lost,
    notAnswered: wrong,
  };
}

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const all = (name) => args.flatMap((a, k) => (a === name ? [args[k + 1]] : []));
const main = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (main && opt('--server')) {
  const r = await measureLookups({
    server: opt('--server'),
    names: all('--name'),
    count: Number(opt('--count', '2000')),
  });
  process.stdout.write(JSON.stringify(r) + '\n');
} else if (main) {
  const count = Number(opt('--count', '2000'));
  const sizes = opt('--records', '1,100').split(',').map(Number);
  const loadAtStart = os.loadavg();
  const n = process.pid % 250;
  const ns = `bdnsb${process.pid % 10000}`;
  const hostAddr = `10.235.${n}.1`;
  const ip = (...a) => execFileSync('ip', a, { stdio: 'pipe' });
  const base = mkdtempSync(join(os.tmpdir(), 'berth-dns-bench-'));
  const results = {};
  ip('netns', 'add', ns);
  try {
    ip('link', 'add', `${ns}h`, 'type', 'veth', 'peer', 'name', `${ns}n`);
    ip('link', 'set', `${ns}n`, 'netns', ns);
    ip('addr', 'add', `${hostAddr}/30`, 'dev', `${ns}h`);
    ip('link', 'set', `${ns}h`, 'up');
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `10.235.${n}.2/30`, 'dev', `${ns}n`);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', `${ns}n`, 'up');
    for (const size of sizes) {
      const dir = join(base, `r${size}`);
      mkdirSync(dir);
      for (let k = 0; k < size; k++) {
        const rec = {
          names: [`c${k}`, `alias${k}`, `${k.toString(16).padStart(12, '0')}`],
          ipv4: [`10.89.${k >> 8}.${k & 255}`],
        };
        writeFileSync(join(dir, `c${k}.tmp`), JSON.stringify(rec));
        renameSync(join(dir, `c${k}.tmp`), join(dir, `c${k}.json`));
      }
      const pidfile = join(base, `r${size}.pid`);
      const start = spawnSync(
        BIN,
        ['--records', dir, '--listen', hostAddr, '--upstream', '127.0.0.1', '--pidfile', pidfile],
        {
          encoding: 'utf8',
        },
      );
      if (start.status !== 0) throw new Error(`berth-dns: ${start.stderr}`);
      const pid = Number(readFileSync(pidfile, 'utf8'));
      try {
        // the names of the last record (the one found last on a linear scan), asked from the namespace
        const out = execFileSync(
          'ip',
          [
            'netns',
            'exec',
            ns,
            process.execPath,
            fileURLToPath(import.meta.url),
            '--server',
            hostAddr,
            '--name',
            `c${size - 1}`,
            '--count',
            String(count),
          ],
          { encoding: 'utf8' },
        );
        results[`records${size}`] = JSON.parse(out);
        results[`records${size}`].rssKiB = Number(
          /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1],
        );
      } finally {
        process.kill(pid, 'SIGTERM');
        for (let k = 0; k < 500 && existsSync(pidfile); k++) await new Promise((r) => setTimeout(r, 10)); // it exits
      }
    }
  } finally {
    spawnSync('ip', ['link', 'del', `${ns}h`]);
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(base, { recursive: true, force: true });
  }
  const first = results[`records${sizes[0]}`];
  const last = results[`records${sizes[sizes.length - 1]}`];
  process.stdout.write(
    JSON.stringify(
      {
        bench: 'dns-lookup',
        ...results,
        p50Ratio: Math.round((last.p50us / first.p50us) * 100) / 100,
        p95Ratio: Math.round((last.p95us / first.p95us) * 100) / 100,
        loadAverage: { start: loadAtStart, end: os.loadavg() },
      },
      null,
      2,
    ) + '\n',
  );
}
