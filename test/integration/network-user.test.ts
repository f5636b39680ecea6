/**
 * User-defined networks with real traffic between the tests' own containers: names, aliases and
 * short IDs through the network's DNS responder, isolation between networks, --internal, connect
 * and disconnect of a running container, host and container: modes, macvlan and ipvlan on a parent
 * the test makes, the run flags that shape a container's /etc files, and what network rm and prune
 * refuse or take.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/engine.js';
import { berth, describeIf, fixture, itIf, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { hostAddress, httpGet, storeTable } from '../helpers/network.js';

const reason = skipReason();

const ip = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
function canMake(kind: string): boolean {
  const name = `bchk${process.pid % 100000}`;
  try {
    ip(['link', 'add', name, 'type', kind, ...(kind === 'veth' ? ['peer', 'name', `${name}p`] : [])]);
    ip(['link', 'del', name]);
    return true;
  } catch {
    return false;
  }
}
function kernelHas(kind: 'ipvlan' | 'macvlan'): boolean {
  // a child of loopback is refused for another reason when the driver exists
  try {
    ip(['link', 'add', 'link', 'lo', `bk${process.pid % 100000}`, 'type', kind]);
    ip(['link', 'del', `bk${process.pid % 100000}`]);
    return true;
  } catch (e) {
    return !/Unknown device type|not supported/i.test(String((e as { stderr?: string }).stderr));
  }
}

describeIf(reason)('user-defined networks', () => {
  let t: TempRoot;
  const run = (args: string[]) => berth(t, args);
  const sh = async (args: string[]) => {
    const r = await run(args);
    expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const server = (name: string, net: string, extra: string[] = []) =>
    sh([
      'run',
      '-d',
      '--name',
      name,
      '--network',
      net,
      ...extra,
      'bb',
      'sh',
      '-c',
      `mkdir -p /w && echo from-${name} > /w/index.html && httpd -f -p 80 -h /w`,
    ]);
  const fetch = (net: string, target: string) =>
    run([
      'run',
      '--rm',
      '--network',
      net,
      'bb',
      'sh',
      '-c',
      `timeout 5 wget -q -O - http://${target}/ || echo unreachable`,
    ]);

  beforeAll(async () => {
    t = tempRoot();
    expect((await run(['load', '-q', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    await sh(['network', 'create', 'front']);
    await sh(['network', 'create', '--subnet', '10.123.0.0/24', '--gateway', '10.123.0.254', 'back']);
  });
  afterAll(async () => {
    const ids = (await run(['ps', '-aq'])).stdout.trim();
    if (ids) await run(['rm', '-f', ...ids.split('\n')]);
    await run(['network', 'prune', '-f']);
    t?.cleanup();
  });

  it('containers reach each other by name, alias and short ID; answers follow starts and stops', async () => {
    await server('web1', 'front', ['--network-alias', 'www']);
    const id = (await sh(['inspect', '-f', '{{.Id}}', 'web1'])).trim();
    for (const target of ['web1', 'www', id.slice(0, 12), 'WEB1']) {
      await until(async () => (await fetch('front', target)).stdout === 'from-web1\n', 15_000, 200);
    }
    const look = await sh(['run', '--rm', '--network', 'front', 'bb', 'busybox', 'nslookup', 'web1']);
    const addr = (await sh(['inspect', '-f', '{{.NetworkSettings.Networks.front.IPAddress}}', 'web1'])).trim();
    expect(look).toContain(`Address: ${addr}`);
    const aliases = JSON.parse(await sh(['inspect', '-f', '{{json .NetworkSettings.Networks.front.Aliases}}', 'web1']));
    expect(aliases).toEqual(['www', id.slice(0, 12)]);
    await sh(['stop', '-t', '0', 'web1']);
    const gone = await run([
      'run',
      '--rm',
      '--network',
      'front',
      'bb',
      'sh',
      '-c',
      'nslookup web1 >/dev/null 2>&1 && echo found || echo gone',
    ]);
    expect(gone.stdout.trim()).toBe('gone');
    await sh(['start', 'web1']);
    await until(async () => (await fetch('front', 'web1')).stdout === 'from-web1\n', 15_000, 200);
  });

  it('--link NAME:ALIAS on a user-defined network: the name and alias reach the linked container, for the linking one only', async () => {
    await server('linked', 'front');
    const addr = (await sh(['inspect', '-f', '{{.NetworkSettings.Networks.front.IPAddress}}', 'linked'])).trim();
    const viaLink = await run([
      'run',
      '--rm',
      '--network',
      'front',
      '--link',
      'linked:db',
      'bb',
      'sh',
      '-c',
      'timeout 5 wget -q -O - http://db/; grep -w db /etc/hosts',
    ]);
    expect([viaLink.exitCode, viaLink.stdout], viaLink.stderr).toEqual([0, `from-linked\n${addr}\tdb\n`]);
    // the alias is no name on the network: another container does not resolve it
    expect((await fetch('front', 'db')).stdout).toMatch(/unreachable/);
    await sh([
      'create',
      '--name',
      'linker',
      '--network',
      'front',
      '--link',
      '/linked:db',
      '--link',
      'web1',
      'bb',
      'true',
    ]);
    expect(await sh(['inspect', '-f', '{{json .NetworkSettings.Networks.front.Links}}', 'linker'])).toBe(
      '["linked:db","web1:web1"]\n',
    );
    // a link to a container that is not running resolves to nothing; the run still starts
    await sh(['stop', '-t', '0', 'linked']);
    const stale = await run([
      'run',
      '--rm',
      '--network',
      'front',
      '--link',
      'linked:db',
      'bb',
      'sh',
      '-c',
      'grep -cw db /etc/hosts',
    ]);
    expect(stale.stdout.trim()).toBe('0');
    // the default bridge has docker's legacy links, which berth has not; a bad link never reaches /etc/hosts
    const legacy = await run(['run', '--rm', '--link', 'web1:w', 'bb', 'true']);
    expect([legacy.exitCode, legacy.stderr]).toEqual([
      125,
      'Error: berth has links on user-defined networks only (--link): put the containers on a network of their own\n',
    ]);
    for (const bad of ['web1:a\n1.2.3.4 evil', 'a:b:c', 'web1: x'])
      expect((await run(['run', '--rm', '--network', 'front', '--link', bad, 'bb', 'true'])).stderr).toBe(
        `Error: bad format for links: ${bad}\n`,
      );
    await run(['rm', '-f', 'linked', 'linker']);
  });

  it('one network reaches every port of its containers; two networks never reach each other', async () => {
    // a port nobody published
    await sh(['run', '-d', '--name', 'listener', '--network', 'front', 'bb', 'busybox', 'nc', '-l', '-p', '4242']);
    await until(
      async () =>
        (await run(['run', '--rm', '--network', 'front', 'bb', 'sh', '-c', 'echo over-4242 | nc listener 4242']))
          .exitCode === 0,
      15_000,
      200,
    );
    await until(async () => (await run(['logs', 'listener'])).stdout.includes('over-4242'), 10_000);
    await server('web2', 'back');
    const webAddr = (await sh(['inspect', '-f', '{{.NetworkSettings.Networks.front.IPAddress}}', 'web1'])).trim();
    const back = (await sh(['inspect', '-f', '{{.NetworkSettings.Networks.back.IPAddress}}', 'web2'])).trim();
    expect(back).toMatch(/^10\.123\.0\.\d+$/);
    expect((await fetch('back', back)).stdout).toBe('from-web2\n');
    expect((await fetch('back', webAddr)).stdout).toBe('unreachable\n');
    expect((await fetch('front', back)).stdout).toBe('unreachable\n');
    // and names of the other network are unknown here
    expect((await fetch('back', 'web1')).stdout).toBe('unreachable\n');
  });

  it("--internal: no route out, the host's address unreachable, names on the network still answered", async () => {
    const hooks = () =>
      execFileSync('nft', ['list', 'table', 'inet', storeTable(t.root)], { encoding: 'utf8' }).match(/hook \w+/g);
    // no internal network yet: no input hook, so a packet for the host walks none of the store's rules
    expect(hooks()).not.toContain('hook input');
    await sh(['network', 'create', '--internal', 'sealed']);
    expect(hooks()).toContain('hook input');
    await server('inner', 'sealed');
    const host = hostAddress();
    const r = await run([
      'run',
      '--rm',
      '--network',
      'sealed',
      'bb',
      'sh',
      '-c',
      `ip route; timeout 5 wget -q -O - http://inner/; timeout 3 ping -c 1 -W 2 ${host} >/dev/null 2>&1 && echo host-reached || echo host-unreachable`,
    ]);
    expect(r.stdout).not.toMatch(/^default/m);
    expect(r.stdout).toContain('from-inner\n');
    expect(r.stdout).toContain('host-unreachable');
    // the attacker's way out through the host: a service of the host's listening on every address, asked at
    // the gateway's address (the host's own on that bridge); only the network's DNS is there for it
    const service = createServer((c) => c.end('host-service\n'));
    await new Promise<void>((r) => service.listen(0, '0.0.0.0', r));
    const port = (service.address() as AddressInfo).port;
    const gw = (await sh(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'sealed'])).trim();
    try {
      const probe = await run([
        'run',
        '--rm',
        '--network',
        'sealed',
        'bb',
        'sh',
        '-c',
        `timeout 5 nc ${gw} ${port} </dev/null || echo refused; timeout 5 nc ${host} ${port} </dev/null || echo refused`,
      ]);
      expect(probe.stdout).toBe('refused\nrefused\n');
      // while the host still reaches a container on the network by its address (the answers come in)
      const innerIp = (await sh(['inspect', '-f', '{{.NetworkSettings.Networks.sealed.IPAddress}}', 'inner'])).trim();
      expect(await httpGet(innerIp, 80, 5000)).toContain('from-inner');
    } finally {
      service.close();
    }
    // and no published port on it
    const p = await run(['run', '-d', '--name', 'inner-p', '--network', 'sealed', '-p', '80', 'bb', 'sleep', '100']);
    expect(p.exitCode).toBe(0);
    expect((await run(['port', 'inner-p'])).stdout).toBe('');
    // the last internal network gone, its input hook goes too
    await sh(['rm', '-f', 'inner', 'inner-p']);
    await sh(['network', 'rm', 'sealed']);
    expect(hooks()).not.toContain('hook input');
  });

  it('connect and disconnect a running container; docker’s refusals; events', async () => {
    await sh(['run', '-d', '--name', 'roamer', '--network', 'front', 'bb', 'sleep', '300']);
    await sh(['network', 'connect', '--alias', 'rover', 'back', 'roamer']);
    const links = await sh(['exec', 'roamer', 'sh', '-c', 'ip -4 -o addr | grep eth']);
    expect(links).toMatch(/eth0 +inet 172\./);
    expect(links).toMatch(/eth1 +inet 10\.123\.0\./);
    const web2 = (await sh(['inspect', '-f', '{{.NetworkSettings.Networks.back.IPAddress}}', 'web2'])).trim();
    expect(await sh(['exec', 'roamer', 'sh', '-c', `timeout 5 wget -q -O - http://${web2}/`])).toBe('from-web2\n');
    // its alias on the network it joined answers there
    const rover = (await sh(['inspect', '-f', '{{.NetworkSettings.Networks.back.IPAddress}}', 'roamer'])).trim();
    await until(
      async () =>
        (await run(['run', '--rm', '--network', 'back', 'bb', 'busybox', 'nslookup', 'rover'])).stdout.includes(rover),
      15_000,
      200,
    );
    const dup = await run(['network', 'connect', 'back', 'roamer']);
    expect([dup.exitCode, dup.stderr.trim()]).toEqual([
      1,
      'Error: endpoint with name roamer already exists in network back',
    ]);
    await sh(['network', 'disconnect', 'back', 'roamer']);
    expect(await sh(['exec', 'roamer', 'sh', '-c', 'ip -o link | grep -c eth1 || true'])).toBe('0\n');
    const id = (await sh(['inspect', '-f', '{{.Id}}', 'roamer'])).trim();
    const again = await run(['network', 'disconnect', 'back', 'roamer']);
    expect([again.exitCode, again.stderr.trim()]).toEqual([
      1,
      `Error: container ${id} is not connected to network back`,
    ]);
    const ev = await sh([
      'events',
      '--since',
      '2m',
      '--until',
      '0s',
      '--filter',
      'network=back',
      '--filter',
      'event=connect',
      '--filter',
      'event=disconnect',
      '--format',
      '{{.Action}} {{.Actor.Attributes.container}}',
    ]);
    expect(ev).toContain(`connect ${id}`);
    expect(ev).toContain(`disconnect ${id}`);
    // a stopped container connects for its next start
    await sh(['stop', '-t', '0', 'roamer']);
    await sh(['network', 'connect', 'back', 'roamer']);
    await sh(['start', 'roamer']);
    expect(await sh(['exec', 'roamer', 'sh', '-c', 'ip -o link | grep -c eth1'])).toBe('1\n');
  });

  it('network rm refuses a network with running containers, prune keeps those', async () => {
    await sh(['network', 'create', 'busy']);
    await sh(['run', '-d', '--name', 'busy1', '--network', 'busy', 'bb', 'sleep', '300']);
    const id = (await sh(['network', 'inspect', '-f', '{{.Id}}', 'busy'])).trim();
    const r = await run(['network', 'rm', 'busy']);
    expect([r.exitCode, r.stderr.trim()]).toEqual([
      1,
      `Error: error while removing network: network busy id ${id} has active endpoints`,
    ]);
    await sh(['network', 'create', 'idle']);
    const pruned = await sh(['network', 'prune', '-f']);
    expect(pruned).toContain('idle');
    expect(pruned).not.toContain('busy');
    const ls = await sh(['network', 'ls', '--format', '{{.Name}} {{.Driver}}', '--filter', 'type=custom']);
    expect(ls.split('\n')).toContain('busy bridge');
    const builtin = await sh(['network', 'ls', '-q', '--filter', 'type=builtin']);
    expect(builtin.trim().split('\n')).toHaveLength(3);
    const rmb = await run(['network', 'rm', 'bridge']);
    expect(rmb.stderr.trim()).toBe('Error: bridge is a pre-defined network and cannot be removed');
    await sh(['rm', '-f', 'busy1']);
    await sh(['network', 'rm', 'busy']);
  });

  it('network create and destroy are events as docker has them (the network as actor, its name and driver)', async () => {
    const id = (await sh(['network', 'create', 'evnet'])).trim();
    await sh(['network', 'rm', 'evnet']);
    const ev = await sh([
      'events',
      '--since',
      '1m',
      '--until',
      '0s',
      '--filter',
      'type=network',
      '--filter',
      `network=${id}`,
      '--format',
      '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}}',
    ]);
    expect(ev.trim().split('\n')).toEqual([`network create ${id} evnet bridge`, `network destroy ${id} evnet bridge`]);
    // what the API's JSON carries, as docker's /events does
    const json = await sh([
      'events',
      '--since',
      '1m',
      '--until',
      '0s',
      '--filter',
      `network=${id}`,
      '--format',
      'json',
    ]);
    const first = JSON.parse(json.trim().split('\n')[0]!);
    expect(first).toMatchObject({
      Type: 'network',
      Action: 'create',
      Actor: { ID: id, Attributes: { name: 'evnet', type: 'bridge' } },
    });
  });

  it("host mode sees the host's interfaces; container: mode shares another container's", async () => {
    const host = await sh(['run', '--rm', '--network', 'host', 'bb', 'busybox', 'ip', '-o', 'link']);
    for (const n of readdirSync('/sys/class/net').filter((x) => x === 'lo' || x.startsWith('eth')))
      expect(host).toContain(`: ${n}`);
    await sh(['run', '-d', '--name', 'owner', '--network', 'front', 'bb', 'sleep', '300']);
    const own = (await sh(['inspect', '-f', '{{.NetworkSettings.Networks.front.IPAddress}}', 'owner'])).trim();
    const joined = await sh([
      'run',
      '--rm',
      '--network',
      'container:owner',
      'bb',
      'sh',
      '-c',
      'ip -4 -o addr show eth0; hostname',
    ]);
    expect(joined).toContain(`inet ${own}/`);
    const ownerHost = (await sh(['inspect', '-f', '{{.Config.Hostname}}', 'owner'])).trim();
    expect(joined.trim().split('\n').pop()).toBe(ownerHost);
    const bad = await run(['run', '--rm', '--network', 'container:owner', '-p', '80', 'bb', 'true']);
    expect(bad.stderr.trim()).toBe('Error: conflicting options: port publishing and the container type network mode');
  });

  it('--ip, --mac-address, --hostname, --dns, --dns-search, --dns-option, --add-host (host-gateway)', async () => {
    const out = await sh([
      'run',
      '--rm',
      '--network',
      'back',
      '--ip',
      '10.123.0.77',
      '--mac-address',
      '92:d0:c6:0a:29:33',
      '--hostname',
      'db1',
      '--dns',
      '10.123.0.254',
      '--dns-search',
      'corp.example',
      '--dns-option',
      'ndots:3',
      '--add-host',
      'gateway.test:host-gateway',
      '--add-host',
      'other.test:10.9.9.9',
      'bb',
      'sh',
      '-c',
      'ip -o addr show eth0; ip -o link show eth0; hostname; cat /etc/resolv.conf /etc/hosts',
    ]);
    const bridgeGw = (await sh(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'bridge'])).trim();
    expect(out).toContain('inet 10.123.0.77/24');
    expect(out).toContain('link/ether 92:d0:c6:0a:29:33');
    expect(out).toMatch(/^db1$/m);
    expect(out).toMatch(/^nameserver 10\.123\.0\.254$/m);
    expect(out).toMatch(/^search corp\.example$/m);
    expect(out).toMatch(/^options ndots:3$/m);
    expect(out).toContain(`${bridgeGw}\tgateway.test\n`);
    expect(out).toContain('10.9.9.9\tother.test\n');
    expect(out).toContain('10.123.0.77\tdb1\n');
    await sh(['run', '-d', '--name', 'fixed', '--network', 'back', '--ip', '10.123.0.78', 'bb', 'sleep', '100']);
    const taken = await run(['run', '--rm', '--network', 'back', '--ip', '10.123.0.78', 'bb', 'true']);
    expect([taken.exitCode, taken.stderr.trim()]).toEqual([125, 'Error: Address already in use']);
    const outside = await run(['run', '--rm', '--network', 'back', '--ip', '10.9.0.1', 'bb', 'true']);
    expect(outside.stderr.trim()).toBe('Error: no configured subnet or ip-range contain the IP address 10.9.0.1');
    const auto = await run(['run', '--rm', '--network', 'front', '--ip', '172.30.9.9', 'bb', 'true']);
    expect(auto.stderr.trim()).toBe(
      'Error: user specified IP address is supported only when connecting to networks with user configured subnets',
    );
  });

  it('a restart by the restart policy sets the network up again, on the same address', async () => {
    await sh([
      'run',
      '-d',
      '--name',
      'phoenix',
      '--network',
      'front',
      '--restart',
      'on-failure:1',
      'bb',
      'sh',
      '-c',
      'ip -4 -o addr show eth0; sleep 1; exit 3',
    ]);
    await until(
      async () =>
        (await run(['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'phoenix'])).stdout.trim() === '1 exited',
      30_000,
      200,
    );
    const lines = (await run(['logs', 'phoenix'])).stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/inet 172\.\d+\.0\.\d+/);
    expect(lines[1]).toBe(lines[0]);
  });

  itIf(canMake('dummy') || canMake('veth') ? null : 'the kernel makes neither dummy nor veth interfaces')(
    'macvlan on a parent interface (a dummy one, or a veth end when the kernel has no dummy driver)',
    async () => {
      const parent = `bmv${process.pid % 100000}`;
      if (canMake('dummy')) ip(['link', 'add', parent, 'type', 'dummy']);
      else {
        ip(['link', 'add', parent, 'type', 'veth', 'peer', 'name', `${parent}p`]);
        ip(['link', 'set', `${parent}p`, 'up']); // a veth has carrier only with both ends up
      }
      ip(['link', 'set', parent, 'up']);
      try {
        await sh([
          'network',
          'create',
          '-d',
          'macvlan',
          '--subnet',
          '10.124.0.0/24',
          '-o',
          `parent=${parent}`,
          'mvnet',
        ]);
        await server('mv1', 'mvnet');
        const addr = (await sh(['inspect', '-f', '{{.NetworkSettings.Networks.mvnet.IPAddress}}', 'mv1'])).trim();
        expect(addr).toBe('10.124.0.2');
        expect((await fetch('mvnet', addr)).stdout).toBe('from-mv1\n');
        const pid = (await sh(['inspect', '-f', '{{.State.Pid}}', 'mv1'])).trim();
        const kind = execFileSync('nsenter', ['-t', pid, '-n', 'ip', '-d', '-o', 'link', 'show', 'eth0'], {
          encoding: 'utf8',
        });
        expect(kind).toContain('macvlan');
        await sh(['rm', '-f', 'mv1']);
        await sh(['network', 'rm', 'mvnet']);
      } finally {
        ip(['link', 'del', parent]);
      }
    },
  );

  it('ipvlan l2 on a parent interface; a kernel without the driver refuses the start in one line', async () => {
    const parent = `biv${process.pid % 100000}`;
    if (canMake('dummy')) ip(['link', 'add', parent, 'type', 'dummy']);
    else {
      ip(['link', 'add', parent, 'type', 'veth', 'peer', 'name', `${parent}p`]);
      ip(['link', 'set', `${parent}p`, 'up']);
    }
    ip(['link', 'set', parent, 'up']);
    try {
      await sh([
        'network',
        'create',
        '-d',
        'ipvlan',
        '--subnet',
        '10.125.0.0/24',
        '-o',
        `parent=${parent}`,
        '-o',
        'ipvlan_mode=l2',
        'ivnet',
      ]);
      if (!kernelHas('ipvlan')) {
        // this machine's kernel (CONFIG_IPVLAN not set): the container cannot start, and says why
        const r = await run(['run', '-d', '--name', 'iv1', '--network', 'ivnet', 'bb', 'sleep', '60']);
        expect(r.exitCode).toBe(125);
        expect(r.stderr.trim().split('\n')).toEqual(['Error: this kernel has no ipvlan driver (CONFIG_IPVLAN)']);
        // as docker leaves a container whose start failed: created, holding no address
        expect((await sh(['inspect', '-f', '{{.State.Status}}', 'iv1'])).trim()).toBe('created');
        await sh(['rm', 'iv1']);
        await sh(['network', 'rm', 'ivnet']);
        return;
      }
      await server('iv1', 'ivnet');
      expect((await fetch('ivnet', '10.125.0.2')).stdout).toBe('from-iv1\n');
      await sh(['rm', '-f', 'iv1']);
      await sh(['network', 'rm', 'ivnet']);
    } finally {
      ip(['link', 'del', parent]);
    }
  });

  it("overlay is refused with a clear message; create's bad input in docker's words", async () => {
    const cases: [string[], string][] = [
      [['-d', 'overlay', 'ov'], 'overlay networks span a cluster of hosts (docker swarm)'],
      [['--subnet', '10.123.0.0/16', 'over'], 'Pool overlaps with other one on this address space'],
      [['--subnet', '10.126.0.0/24', '--gateway', '10.127.0.1', 'gw'], 'no matching subnet for gateway 10.127.0.1'],
      [['front'], 'network with name front already exists'],
    ];
    for (const [args, msg] of cases) {
      const r = await run(['network', 'create', ...args]);
      expect(r.exitCode, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(msg);
    }
  });
});
