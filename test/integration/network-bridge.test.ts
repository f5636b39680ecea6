/**
 * The default bridge and published ports, with real traffic: a container's address, route, /etc/hosts
 * and resolv.conf; TCP and UDP through a published port from this machine's 127.0.0.1 and its own
 * address; docker's refusals and exit codes; port, ps, inspect and events. Traffic goes only to
 * loopback, this machine's address and the containers the tests start.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/engine.js';
import { REPO, berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { hostAddress, httpGet, storeInterfaces, udpLookup } from '../helpers/network.js';

const reason = skipReason();
const DNS = join(REPO, 'native', 'build', 'Release', 'berth-dns');

describeIf(reason)('the default bridge and published ports', () => {
  let t: TempRoot;
  const run = (args: string[]) => berth(t, args);
  beforeAll(async () => {
    t = tempRoot();
    expect((await run(['load', '-q', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(async () => {
    const ids = (await run(['ps', '-aq'])).stdout.trim();
    if (ids) await run(['rm', '-f', ...ids.split('\n')]);
    t?.cleanup();
  });

  it('a container gets an address on the bridge, the default route, /etc/hosts and resolv.conf', async () => {
    const net = JSON.parse((await run(['network', 'inspect', 'bridge'])).stdout)[0];
    const { Subnet: subnet, Gateway: gw } = net.IPAM.Config[0];
    const bridge = net.Options['com.docker.network.bridge.name'];
    expect(subnet).toMatch(/^(172\.(1[7-9]|2\d|3[01])\.0\.0\/16|192\.168\.\d+\.0\/20)$/);
    const r = await run([
      'run',
      '--rm',
      '--name',
      'addr',
      'bb',
      'sh',
      '-c',
      'ip -4 -o addr show eth0; ip route; cat /etc/hosts /etc/resolv.conf',
    ]);
    expect(r.exitCode).toBe(0);
    const ip = /inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(r.stdout)!;
    expect(ip[2]).toBe(subnet.split('/')[1]);
    expect(r.stdout).toContain(`default via ${gw} dev eth0`);
    expect(r.stdout).toMatch(new RegExp(`^${ip[1]!.replace(/\./g, '\\.')}\\t[0-9a-f]{12}$`, 'm'));
    expect(r.stdout).not.toMatch(/^nameserver (127\.|::1)/m);
    // the bridge is this store's, with the gateway's address
    expect(storeInterfaces(t.root)).toContain(bridge);
    expect(readFileSync(`/sys/class/net/${bridge}/ifalias`, 'utf8').trim()).toBe(`berth:${t.root}`);
  });

  it('TCP and UDP on a published port, from 127.0.0.1 and from this machine’s own address', async () => {
    const recs = join(t.base, 'recs');
    mkdirSync(recs, { recursive: true });
    writeFileSync(join(recs, 'x.json'), JSON.stringify({ names: ['udp.test'], ipv4: ['10.1.2.3'], ipv6: [] }));
    // TCP: busybox httpd; UDP: berth's own static DNS responder, bound inside the container
    const script =
      'mkdir -p /w && echo tcp-ok > /w/index.html && httpd -p 80 -h /w && exec /berth-dns --foreground --records /recs --listen 0.0.0.0:53 --no-forward';
    const started = await run([
      'run',
      '-d',
      '--name',
      'srv',
      '-p',
      '80',
      '-p',
      '53/udp',
      '-v',
      `${DNS}:/berth-dns:ro`,
      '-v',
      `${recs}:/recs`,
      'bb',
      'sh',
      '-c',
      script,
    ]);
    expect(started.exitCode, started.stderr).toBe(0);
    const port = async (p: string) => Number((await run(['port', 'srv', p])).stdout.trim().split(':').pop());
    const [tcp, udp] = [await port('80'), await port('53/udp')];
    expect(tcp).toBeGreaterThan(0);
    expect(udp).toBeGreaterThan(0);
    const host = hostAddress();
    await until(async () => (await httpGet('127.0.0.1', tcp)) === 'tcp-ok\n', 15_000, 100);
    expect(await httpGet(host, tcp)).toBe('tcp-ok\n');
    await until(
      async () => JSON.stringify(await udpLookup('127.0.0.1', udp, 'udp.test')) === '["10.1.2.3"]',
      15_000,
      100,
    );
    expect(await udpLookup(host, udp, 'udp.test')).toEqual(['10.1.2.3']);
    // what docker shows of them
    const lines = (await run(['port', 'srv'])).stdout.trim().split('\n');
    expect(lines).toEqual([`53/udp -> 0.0.0.0:${udp}`, `80/tcp -> 0.0.0.0:${tcp}`]);
    const ps = (await run(['ps', '--filter', 'name=srv', '--format', '{{.Ports}}'])).stdout.trim();
    expect(ps).toBe(`0.0.0.0:${udp}->53/udp, 0.0.0.0:${tcp}->80/tcp`);
    const info = JSON.parse((await run(['inspect', 'srv'])).stdout)[0];
    expect(info.HostConfig.PortBindings).toEqual({
      '80/tcp': [{ HostIp: '', HostPort: '' }],
      '53/udp': [{ HostIp: '', HostPort: '' }],
    });
    expect(info.NetworkSettings.Ports['80/tcp']).toEqual([{ HostIp: '0.0.0.0', HostPort: String(tcp) }]);
    // a container reaches it through the host too (hairpin), by the gateway's address
    const gw = info.NetworkSettings.Gateway;
    const hair = await run(['run', '--rm', 'bb', 'sh', '-c', `wget -q -O - http://${gw}:${tcp}/`]);
    expect(hair.stdout).toBe('tcp-ok\n');
    await run(['rm', '-f', 'srv']);
    expect(await httpGet('127.0.0.1', tcp, 1500)).toMatch(/^error:/);
  });

  it("a taken host port: docker's message and 125, whether a container or a host process holds it", async () => {
    const a = await run(['run', '-d', '--name', 'holder', '-p', '0:80', 'bb', 'sleep', '300']);
    expect(a.exitCode).toBe(0);
    const port = Number((await run(['port', 'holder', '80'])).stdout.trim().split(':').pop());
    const b = await run(['run', '-d', '-p', `${port}:80`, 'bb', 'sleep', '300']);
    expect([b.exitCode, b.stderr.trim()]).toEqual([
      125,
      `Error: Bind for 0.0.0.0:${port} failed: port is already allocated`,
    ]);
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    const hostPort = (server.address() as { port: number }).port;
    try {
      const c = await run(['run', '--rm', '-p', `${hostPort}:80`, 'bb', 'true']);
      expect([c.exitCode, c.stderr.trim()]).toEqual([
        125,
        `Error: Bind for 0.0.0.0:${hostPort} failed: port is already allocated`,
      ]);
    } finally {
      server.close();
    }
    // nothing of the refused ones stays: only the holder's port is mapped
    await run(['rm', '-f', 'holder']);
    const again = await run(['run', '-d', '--name', 'holder2', '-p', `${port}:80`, 'bb', 'sleep', '300']);
    expect(again.exitCode, again.stderr).toBe(0);
    await run(['rm', '-f', 'holder2']);
  });

  it("bad input: docker's messages, exit 125 for run", async () => {
    const cases: [string[], string][] = [
      [['-p', '8000:0'], 'invalid port specification: "0/tcp"'],
      [['-p', '70000:80'], 'invalid hostPort: 70000'],
      [['-p', '80/xyz'], 'invalid proto: xyz'],
      [['--network', 'no-such-net'], 'network no-such-net not found'],
      [['--ip', '172.17.0.99'], 'user specified IP address is supported on user defined networks only'],
      [['--network-alias', 'x'], 'network-scoped alias is supported only for containers in user defined networks'],
    ];
    for (const [flags, msg] of cases) {
      const r = await run(['run', '--rm', ...flags, 'bb', 'true']);
      expect([r.exitCode, r.stderr.trim()], flags.join(' ')).toEqual([125, `Error: ${msg}`]);
    }
  });

  it('-P publishes the exposed ports (--expose too) on random host ports; the address goes back at stop', async () => {
    const r = await run(['run', '-d', '--name', 'pall', '-P', '--expose', '7000-7001', 'bb', 'sleep', '300']);
    expect(r.exitCode, r.stderr).toBe(0);
    const ports = (await run(['port', 'pall'])).stdout.trim().split('\n');
    expect(ports).toHaveLength(2);
    expect(ports[0]).toMatch(/^7000\/tcp -> 0\.0\.0\.0:\d+$/);
    const ip = (await run(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'pall'])).stdout.trim();
    expect(ip).not.toBe('');
    await run(['stop', '-t', '0', 'pall']);
    expect(
      (
        await run(['inspect', '-f', '{{.NetworkSettings.IPAddress}}|{{json .NetworkSettings.Ports}}', 'pall'])
      ).stdout.trim(),
    ).toBe('|{}');
    const net = JSON.parse((await run(['network', 'inspect', 'bridge'])).stdout)[0];
    expect(Object.keys(net.Containers)).toEqual([]);
    await run(['rm', 'pall']);
  });

  it('the default bridge publishes no name resolution, and its events follow docker', async () => {
    await run(['run', '-d', '--name', 'peer', 'bb', 'sleep', '300']);
    const r = await run([
      'run',
      '--rm',
      'bb',
      'sh',
      '-c',
      'nslookup peer >/dev/null 2>&1 && echo resolved || echo unresolved',
    ]);
    expect(r.stdout.trim()).toBe('unresolved');
    const id = (await run(['inspect', '-f', '{{.Id}}', 'peer'])).stdout.trim();
    await run(['rm', '-f', 'peer']);
    const ev = (
      await run([
        'events',
        '--since',
        '1m',
        '--until',
        '0s',
        '--filter',
        'type=network',
        '--format',
        '{{.Action}} {{.Actor.Attributes.container}} {{.Actor.Attributes.name}}',
      ])
    ).stdout;
    expect(ev).toContain(`connect ${id} bridge`);
    expect(ev).toContain(`disconnect ${id} bridge`);
  });
});
