/**
 * A private distribution registry for the benchmarks: the peer's binary
 * (Debian's docker-registry 2.8) on a free loopback port, plain HTTP, its
 * storage where the benchmark says (the fresh ext4), its access log (one line
 * per request) in a file, so requests can be counted.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const up = (url) =>
  new Promise((resolve) => {
    http
      .get(url, (res) => {
        res.resume();
        resolve(true);
      })
      .on('error', () => resolve(false));
  });

/** Start docker-registry with its storage in `storage` and its log at `logFile`. */
export async function startBenchRegistry(storage, logFile) {
  const port = await freePort();
  const cfg = `${logFile}.yml`;
  writeFileSync(
    cfg,
    JSON.stringify({
      version: '0.1',
      log: { level: 'warn', formatter: 'text' },
      storage: {
        filesystem: { rootdirectory: storage },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      http: { addr: `127.0.0.1:${port}`, secret: 'berth-bench' },
    }),
  );
  const fd = openSync(logFile, 'w');
  const proc = spawn('setpriv', ['--pdeathsig', 'KILL', '--', '/usr/bin/docker-registry', 'serve', cfg], {
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise((r) => proc.once('exit', r));
  const host = `127.0.0.1:${port}`;
  for (let i = 0; !(await up(`http://${host}/v2/`)); i++) {
    if (i > 100 || proc.exitCode !== null)
      throw new Error(`docker-registry did not start: ${readFileSync(logFile, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const requests = () =>
    [...readFileSync(logFile, 'utf8').matchAll(/"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /g)].map((m) => ({
      method: m[1],
      path: m[2],
      status: Number(m[3]),
    }));
  return {
    host,
    /** every request answered so far, from the access log */
    requests,
    /** remove every repository and blob (the registry keeps no cache, so it starts over) */
    wipe: () => rmSync(join(storage, 'docker'), { recursive: true, force: true }),
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
