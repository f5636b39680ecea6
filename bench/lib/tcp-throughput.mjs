/**
 * TCP throughput of several paths to one server, compared fairly on a shared
 * machine (bench/network.mjs, measure 2).
 *
 * Every path downloads the same file from the same server (busybox httpd in
 * a container) with the same receiver (this process: node:http, a new
 * connection per download, the body counted and dropped). A round downloads
 * once on each path, back to back, so a busy moment of the machine falls on
 * the paths of that round alike; the order within a round walks through
 * every permutation of the paths, so no path always runs first, last or
 * after a given other. The figure of a path is the median of its per-round
 * ratios to the reference path (each ratio taken within one round), with the
 * spread of those ratios; the MiB/s medians are given beside them. Beside
 * the wall time, the CPU time of each download on the receiving side (this
 * process) and on the sending side (`serverCpuNs`: the container's cgroup)
 * is kept: CPU per byte is what a path costs, and a busy machine disturbs it
 * far less than throughput (packets handled in softirq are charged to
 * whichever side's task the kernel ran them in, so only the sum compares).
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { loadavg } from 'node:os';

/** Download http://host:port/path; its size must be `bytes`. Seconds from the request to the last byte. */
export function download(host, port, path, bytes) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const req = request({ host, port, path, agent: false }, (res) => {
      let n = 0;
      res.on('data', (b) => (n += b.length));
      res.on('end', () => {
        const s = Number(process.hrtime.bigint() - t) / 1e9;
        if (n !== bytes) reject(new Error(`short download from ${host}:${port}: ${n} of ${bytes} bytes`));
        else resolve(s);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error(`download from ${host}:${port} timed out`)));
    req.end();
  });
}

/**
 * The same download by curl (a C receiver that drops the body), for a figure
 * of the path rather than of Node's HTTP client: resolves to the seconds and
 * the receiver's CPU milliseconds (bash's `time` of the curl process).
 */
export function downloadCurl(host, port, path, bytes) {
  return new Promise((resolve, reject) => {
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
    const script = `TIMEFORMAT='%3U %3S'; time curl -sS --max-time 120 -o /dev/null -w '%{size_download} %{time_total}\\n' "$1"`;
    const p = spawn('bash', ['-c', script, 'bash', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b) => (out += b));
    p.stderr.on('data', (b) => (err += b));
    p.on('error', reject);
    p.on('close', (code) => {
      const [n, s] = out.trim().split(/\s+/).map(Number);
      const cpu = err.trim().split('\n').pop().split(/\s+/).map(Number);
      if (code !== 0) reject(new Error(`curl ${url} failed: ${err.trim()}`));
      else if (n !== bytes) reject(new Error(`short download from ${host}:${port}: ${n} of ${bytes} bytes`));
      else resolve({ s, cpuMs: (cpu[0] + cpu[1]) * 1000 });
    });
  });
}

/** Every order of the items (Heap's algorithm); 3 paths give 6 orders. */
export function permutations(items) {
  const out = [];
  const a = [...items];
  const c = a.map(() => 0);
  out.push([...a]);
  for (let i = 1; i < a.length;) {
    if (c[i] < i) {
      const j = i % 2 ? c[i] : 0;
      [a[j], a[i]] = [a[i], a[j]];
      out.push([...a]);
      c[i]++;
      i = 1;
    } else c[i++] = 0;
  }
  return out;
}

/** The q-quantile of xs (0..1), interpolated; null when empty. */
export function quantile(xs, q) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const r3 = (x) => Math.round(x * 1000) / 1000;

/** Summary of per-round ratios: median, quartiles, min and max, and how many rounds fell under `floor`. */
export function ratioSummary(ratios, floor) {
  return {
    median: r3(quantile(ratios, 0.5)),
    p25: r3(quantile(ratios, 0.25)),
    p75: r3(quantile(ratios, 0.75)),
    min: r3(Math.min(...ratios)),
    max: r3(Math.max(...ratios)),
    roundsUnder: ratios.filter((r) => r < floor).length,
  };
}

/**
 * Measure `paths` ({ name: [host, port] }) in `rounds` rounds of `bytes` per
 * download after one warm-up download each; ratios against paths[ref].
 * `log` gets a line per round.
 */
export async function throughputRounds({
  paths,
  ref,
  file,
  bytes,
  rounds,
  floor,
  log,
  serverCpuNs,
  receiver = 'node',
}) {
  const names = Object.keys(paths);
  const orders = permutations(names);
  const secs = Object.fromEntries(names.map((k) => [k, []]));
  const cpu = Object.fromEntries(names.map((k) => [k, { receiver: [], server: [] }]));
  const loads = [];
  const measured = async (k) => {
    const c0 = process.cpuUsage();
    const s0 = serverCpuNs?.() ?? 0;
    if (receiver === 'curl') {
      const d = await downloadCurl(...paths[k], file, bytes);
      secs[k].push(d.s);
      cpu[k].receiver.push(d.cpuMs);
    } else {
      secs[k].push(await download(...paths[k], file, bytes));
      const c = process.cpuUsage(c0);
      cpu[k].receiver.push((c.user + c.system) / 1000);
    }
    if (serverCpuNs) cpu[k].server.push((serverCpuNs() - s0) / 1e6);
  };
  const get = receiver === 'curl' ? downloadCurl : download;
  for (const k of names) await get(...paths[k], file, bytes); // warm-up: caches, ARP, conntrack
  for (let i = 0; i < rounds; i++) {
    const order = orders[i % orders.length];
    for (const k of order) await measured(k);
    loads.push(Math.round(loadavg()[0] * 100) / 100);
    log?.(`  round ${i + 1}: ${order.map((k) => `${k} ${Math.round(bytes / secs[k][i] / 1048576)}`).join(', ')} MiB/s`);
  }
  const mibs = (k) => Math.round(bytes / quantile(secs[k], 0.5) / 1048576);
  const perGiB = (ms) => Math.round((quantile(ms, 0.5) * 1073741824) / bytes);
  const cpuMsPerGiB = Object.fromEntries(
    names.map((k) => [
      k,
      {
        receiver: perGiB(cpu[k].receiver),
        ...(serverCpuNs
          ? {
              server: perGiB(cpu[k].server),
              sum: perGiB(cpu[k].receiver.map((r, i) => r + cpu[k].server[i])),
            }
          : {}),
      },
    ]),
  );
  const out = { MiBs: Object.fromEntries(names.map((k) => [k, mibs(k)])), cpuMsPerGiB, ratios: {}, loadavg1: loads };
  for (const k of names.filter((n) => n !== ref)) {
    const per = secs[k].map((s, i) => secs[ref][i] / s); // throughput ratio = inverse time ratio, same bytes
    out.ratios[k] = { ...ratioSummary(per, floor), perRound: per.map(r3) };
  }
  return out;
}
