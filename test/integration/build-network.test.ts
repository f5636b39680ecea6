/**
 * The network a build's RUN gets: in the default mode (no --network, or
 * default, or bridge) an address on the default bridge that reaches out, as
 * BuildKit's default network does (checked against a TCP server this test
 * runs on the bridge's gateway address); --network none only loopback;
 * --network host the host's interfaces. After a build, a failing RUN and a
 * cancelled one, the store's endpoint rows, the veths on its bridge and its
 * nftables table are as before.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { afterAll, beforeAll, expect } from 'vitest';
import { berth, CLI, describeIf, fixture, itIf, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { makeContext } from '../helpers/build.js';
import { storeInterfaces, storeTable } from '../helpers/network.js';

const skip = skipReason();
let t: TempRoot;
let server: Server;
let gateway = '';
let subnet = '';
let port = 0;
const dirs: string[] = [];
const ctx = (dockerfile: string) => {
  const d = makeContext({ Dockerfile: dockerfile });
  dirs.push(d);
  return d;
};
const last = (s: string) => s.trimEnd().split('\n').pop();

/** What the store holds on the host's network: endpoint rows, veths on its bridges, its nftables table. */
function netState(): { rows: unknown[]; veths: string[]; nft: string } {
  const db = new Database(join(t.root, 'berth.db'), { readonly: true });
  const rows = db.prepare('SELECT * FROM endpoints ORDER BY container_id').all();
  db.close();
  const veths = storeInterfaces(t.root).flatMap((b) => readdirSync(`/sys/class/net/${b}/brif`));
  const nft = execFileSync('nft', ['list', 'table', 'inet', storeTable(t.root)], { encoding: 'utf8' });
  return { rows, veths: veths.sort(), nft };
}

const inSubnet = (ip: string, cidr: string) => {
  const num = (a: string) => a.split('.').reduce((n, x) => n * 256 + Number(x), 0);
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(num(ip) / size) === Math.floor(num(base!) / size);
};

const run = async (image: string, cmd: string) => {
  const r = await berth(t, ['run', '--rm', '--network', 'none', image, 'sh', '-c', cmd]);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout;
};

describeIf(skip)('build: the network of a RUN', () => {
  beforeAll(async () => {
    t = tempRoot('berth-build-net-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    // a container on the default bridge makes it, so the server can listen on its gateway
    const first = await berth(t, ['run', '--rm', 'bb', 'true']);
    expect(first.exitCode, first.stderr).toBe(0);
    const net = JSON.parse((await berth(t, ['network', 'inspect', 'bridge'])).stdout)[0];
    gateway = net.IPAM.Config[0].Gateway;
    subnet = net.IPAM.Config[0].Subnet;
    server = createServer((_req, res) => res.end('reached the gateway\n'));
    await new Promise<void>((resolve) => server.listen(0, gateway, resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    t?.cleanup();
  });

  itIf(skip)('the default mode is the default bridge; none has only loopback; host the host', async () => {
    const container = await berth(t, ['run', '--rm', 'bb', 'cat', '/etc/resolv.conf']);
    const before = netState();
    const since = (Date.now() / 1000).toFixed(3); // after the container's events
    const ifaces = 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " | sort';
    const dockerfile = [
      'FROM bb',
      `RUN ${ifaces} > /default && ip -o -4 addr show dev eth0 | awk '{print $4}' > /addr && wget -q -O /got http://${gateway}:${port}/`,
      'RUN cat /etc/hostname 2>/dev/null; hostname > /hostname; cat /etc/resolv.conf > /resolv; cat /etc/hosts > /hosts; touch /etc/hosts 2>/dev/null || echo ro > /ro',
      `RUN --network=none ${ifaces} > /none`,
      `RUN --network=host ${ifaces} > /host`,
    ].join('\n');
    const r = await berth(t, ['build', '--progress', 'plain', '-t', 'net:1', ctx(dockerfile)]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await run('net:1', 'cat /default')).toBe('eth0\nlo\n');
    const addr = (await run('net:1', 'cat /addr')).trim();
    expect(addr.split('/')[1]).toBe(subnet.split('/')[1]);
    expect(inSubnet(addr.split('/')[0]!, subnet)).toBe(true);
    expect(await run('net:1', 'cat /got')).toBe('reached the gateway\n');
    // BuildKit's sandbox: its hostname, its hosts file, read-only; resolv.conf as a container on the bridge gets it
    expect(await run('net:1', 'cat /hostname /ro')).toBe('buildkitsandbox\nro\n');
    expect(await run('net:1', 'cat /hosts')).toContain('127.0.0.1\tlocalhost buildkitsandbox');
    expect(await run('net:1', 'cat /resolv')).toBe(container.stdout);
    expect(await run('net:1', 'cat /none')).toBe('lo\n');
    const host = readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0]!.trim())
      .filter(Boolean)
      .sort();
    // the host's interfaces while the build ran (this build's own veth among them, gone now)
    const seen = (await run('net:1', 'cat /host')).split('\n').filter(Boolean);
    expect(seen.filter((n) => !/^vb[0-9a-f]{12}\d$/.test(n))).toEqual(
      host.filter((n) => !/^vb[0-9a-f]{12}\d$/.test(n)),
    );
    // --network bridge is the default mode too
    const bridge = await berth(t, [
      'build',
      '-q',
      '--network',
      'bridge',
      ctx(`FROM bb\nRUN wget -q -O /got http://${gateway}:${port}/ && cat /got\n`),
    ]);
    expect(bridge.exitCode, bridge.stderr).toBe(0);
    expect(netState()).toEqual(before);
    expect((await berth(t, ['ps', '-a', '-q'])).stdout).toBe('');
    // docker records no network events for a build's steps
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const ev = await berth(t, ['events', '--since', since, '--until', until, '--filter', 'type=network']);
    expect(ev.stdout).toBe('');
  });

  itIf(skip)('a failing RUN on the bridge gives its address back', async () => {
    const before = netState();
    const r = await berth(t, [
      'build',
      '--progress',
      'plain',
      ctx('FROM bb\nRUN ip -o -4 addr show dev eth0 && exit 3\n'),
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('eth0');
    expect(last(r.stderr)).toContain('exit code: 3');
    expect(netState()).toEqual(before);
  });

  itIf(skip)('a cancelled RUN on the bridge gives its address back', async () => {
    const before = netState();
    const dir = ctx('FROM bb\nRUN echo started && sleep 120\n');
    const child = execa('node', [CLI, 'build', '--progress', 'plain', '-t', 'cancelled:1', dir], {
      env: t.env,
      reject: false,
    });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the RUN did not start:\n${err}`)), 60_000);
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (/#\d+ \d+\.\d+ started/.test(err)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // while it runs, the step holds an address on the bridge; it is no container: network inspect does not list it
    expect(netState().rows.length).toBe(before.rows.length + 1);
    const inspect = JSON.parse((await berth(t, ['network', 'inspect', 'bridge'])).stdout)[0];
    expect(inspect.Containers).toEqual({});
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(1);
    expect(last(String(r.stderr))).toBe('ERROR: failed to solve: Canceled: context canceled');
    expect(netState()).toEqual(before);
  });
});
