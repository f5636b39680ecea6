/** The pure parts of networking: addresses and pools, docker's port grammar, resolv.conf and hosts, the nft table, IPAM's SQL. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { displayPorts } from '../../src/client/format/ports.js';
import {
  containerHosts,
  containerResolv,
  hostModeResolv,
  type HostResolv,
} from '../../src/engine/network/etc-files.js';
import {
  firstFreePool,
  formatIp4,
  hostRange,
  macForIp4,
  overlaps,
  parseIp4,
  parseProcRoutes,
  parseSubnet4,
} from '../../src/engine/network/ipv4.js';
import { formatIp6, ip6For, parseIp6, parseSubnet6 } from '../../src/engine/network/ipv6.js';
import { allocateSql } from '../../src/engine/network/network-db.js';
import { portsDownScript, portsUpScript, tableScript } from '../../src/engine/network/nft-rules.js';
import { parseExpose, parsePublish, portConfig, publishAll } from '../../src/engine/network/ports.js';
import { migrations } from '../../src/engine/store/migrations.js';
import type { NetworkRecord } from '../../src/engine/network/types.js';

describe('IPv4 addresses and pools', () => {
  it('parses, formats and compares subnets', () => {
    expect(formatIp4(parseIp4('172.17.0.1')!)).toBe('172.17.0.1');
    expect(parseIp4('256.1.1.1')).toBeNull();
    expect(parseSubnet4('10.1.2.3/16')).toEqual({ base: parseIp4('10.1.0.0'), prefix: 16 });
    expect(parseSubnet4('10.1.2.3')).toBeNull();
    expect(overlaps(parseSubnet4('10.0.0.0/8')!, parseSubnet4('10.5.0.0/16')!)).toBe(true);
    expect(overlaps(parseSubnet4('10.0.0.0/16')!, parseSubnet4('10.1.0.0/16')!)).toBe(false);
    expect(hostRange(parseSubnet4('10.0.0.0/24')!)).toEqual({
      first: parseIp4('10.0.0.1'),
      last: parseIp4('10.0.0.254'),
    });
    expect(macForIp4(parseIp4('172.17.0.2')!)).toBe('02:42:ac:11:00:02');
  });

  it("docker's default pools: 172.17/16 when free, then the next, then 192.168.x/20", () => {
    expect(firstFreePool([])).toEqual(parseSubnet4('172.17.0.0/16'));
    expect(firstFreePool([parseSubnet4('172.17.5.0/24')!])).toEqual(parseSubnet4('172.18.0.0/16'));
    const all172 = Array.from({ length: 15 }, (_, i) => parseSubnet4(`172.${17 + i}.0.0/16`)!);
    expect(firstFreePool([...all172, parseSubnet4('192.168.0.0/24')!])).toEqual(parseSubnet4('192.168.16.0/20'));
  });

  it("reads the host's routes from /proc/net/route", () => {
    const text = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      'berth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    ].join('\n');
    expect(parseProcRoutes(text)).toEqual([parseSubnet4('192.0.2.0/24'), parseSubnet4('172.17.0.0/16')]);
  });

  it("IPv6: an address follows its IPv4 one's offset in the subnet", () => {
    expect(formatIp6(parseIp6('fd00:0:0:0::1')!)).toBe('fd00::1');
    expect(formatIp6(parseIp6('2001:db8::1:0:0:1')!)).toBe('2001:db8::1:0:0:1');
    const s6 = parseSubnet6('fd00:1::/64')!;
    expect(ip6For(s6, parseIp4('172.18.0.5')!, parseIp4('172.18.0.0')!)).toBe('fd00:1::5');
  });
});

describe("docker's port grammar", () => {
  it('-p forms, ranges and protocols', () => {
    expect(parsePublish('8001:80')).toEqual([{ port: '80/tcp', binding: { HostIp: '', HostPort: '8001' } }]);
    expect(parsePublish('127.0.0.1::53/udp')).toEqual([
      { port: '53/udp', binding: { HostIp: '127.0.0.1', HostPort: '' } },
    ]);
    expect(parsePublish('8000-8001:80-81').map((p) => [p.port, p.binding.HostPort])).toEqual([
      ['80/tcp', '8000'],
      ['81/tcp', '8001'],
    ]);
    expect(parsePublish('8000-8010:80')[0]!.binding.HostPort).toBe('8000-8010');
    expect(parseExpose('7000-7002/udp')).toEqual(['7000/udp', '7001/udp', '7002/udp']);
  });

  it("refuses bad ones in docker's words", () => {
    expect(() => parsePublish('80/xyz')).toThrow('invalid proto: xyz');
    expect(() => parsePublish('70000')).toThrow('invalid containerPort: 70000');
    expect(() => parsePublish('70000:80')).toThrow('invalid hostPort: 70000');
    expect(() => parsePublish('8000-8001:80-82')).toThrow(
      'invalid ranges specified for container and host Ports: 80-82 and 8000-8001',
    );
    expect(() => parsePublish('bad.ip:80:80')).toThrow('invalid IP address: bad.ip');
    expect(() => portConfig(['8000:0'], [])).toThrow('invalid port specification: "0/tcp"');
    expect(() => parseExpose('1:2')).toThrow('invalid port format for --expose: 1:2');
  });

  it('-P publishes every exposed port without a binding', () => {
    const { exposed, bindings } = portConfig(['8001:80'], ['443']);
    expect(exposed).toEqual(['80/tcp', '443/tcp']);
    expect(publishAll(exposed, bindings)).toEqual({
      '80/tcp': [{ HostIp: '', HostPort: '8001' }],
      '443/tcp': [{ HostIp: '', HostPort: '' }],
    });
  });

  it("the PORTS column: docker's ranges and mappings", () => {
    expect(
      displayPorts([
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8001, Type: 'tcp' },
        { PrivatePort: 443, Type: 'tcp' },
        { PrivatePort: 444, Type: 'tcp' },
        { IP: '0.0.0.0', PrivatePort: 53, PublicPort: 8002, Type: 'udp' },
      ]),
    ).toBe('443-444/tcp, 0.0.0.0:8002->53/udp, 0.0.0.0:8001->80/tcp');
  });
});

describe('resolv.conf and hosts', () => {
  const host: HostResolv = { text: 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n' };
  it("loopback servers: systemd-resolved's upstream file, else docker's defaults", () => {
    const withUpstream = { ...host, upstream: 'nameserver 10.0.0.2\nsearch lan\n' };
    expect(containerResolv(withUpstream, {})).toBe('nameserver 10.0.0.2\nsearch lan\n');
    expect(containerResolv(host, {})).toBe(
      'nameserver 8.8.8.8\nnameserver 8.8.4.4\nsearch lan\noptions edns0 trust-ad\n',
    );
  });

  it('--dns, --dns-search and --dns-option replace; a user network names its responder first', () => {
    const h = { text: 'nameserver 10.0.0.2\nsearch a b\n' };
    expect(containerResolv(h, { servers: ['1.1.1.1'], search: ['x'], options: ['ndots:2'] })).toBe(
      'nameserver 1.1.1.1\nsearch x\noptions ndots:2\n',
    );
    expect(containerResolv(h, {}, '172.18.0.1')).toBe('nameserver 172.18.0.1\nsearch a b\noptions ndots:0\n');
    expect(hostModeResolv(h, {})).toBe(h.text);
  });

  it("hosts: docker's defaults, --add-host, then the container", () => {
    const text = containerHosts({ ip: '172.17.0.2', hostname: 'abc', extra: ['db:10.0.0.9'] });
    expect(text.split('\n').slice(-3)).toEqual(['10.0.0.9\tdb', '172.17.0.2\tabc', '']);
    expect(text.startsWith('127.0.0.1\tlocalhost\n')).toBe(true);
  });
});

describe('the nft table', () => {
  it('one transaction: the skeleton, flushed chains and sets, then rules; the port maps stay', () => {
    const s = tableScript('berth', [
      { bridge: 'berth0', subnet: '172.17.0.0/16', gateway: '172.17.0.1', internal: false },
      { bridge: 'br-x', subnet: '172.18.0.0/16', gateway: '172.18.0.1', internal: true },
    ]);
    expect(s).toContain('flush chain inet berth forward');
    expect(s).not.toMatch(/flush (set|map) inet berth ports4/);
    expect(s).toContain('add element inet berth masq4 { 172.17.0.0/16 }');
    // isolation and internal networks by set lookups: a fixed number of rules per packet, whatever the networks
    expect(s).toContain('add element inet berth internal { "br-x" }');
    expect(s).toContain('add element inet berth same { "berth0" . "berth0", "br-x" . "br-x" }');
    expect(s).toContain('add rule inet berth forward iifname @internal iifname . oifname != @same drop');
    expect(s.indexOf('forward oifname @internal')).toBeLessThan(s.indexOf('forward ct status dnat accept'));
    expect(s).not.toMatch(/add rule inet berth \w+ [io]ifname "/);
    // an internal network reaches the host only for its DNS on the gateway (and answers to the host)
    expect(s).toContain('add element inet berth dns4 { "br-x" . 172.18.0.1 }');
    expect(s).toContain('add rule inet berth input iifname @internal jump internal_in');
    expect(s).toContain(
      'add rule inet berth internal_in meta l4proto { tcp, udp } th dport 53 iifname . ip daddr @dns4 accept',
    );
    expect(s.indexOf('internal_in ct state established,related accept')).toBeLessThan(s.indexOf('internal_in drop'));
    expect(s).not.toContain('delete chain');
    // without an internal network no input hook at all: a packet for the host walks none of berth's rules
    const plain = tableScript('berth', [
      { bridge: 'berth0', subnet: '172.17.0.0/16', gateway: '172.17.0.1', internal: false },
    ]);
    expect(plain).toContain('delete chain inet berth input\n');
    expect(plain).not.toContain('add rule inet berth input');
    // as many rules with twelve networks as with two
    const many = Array.from({ length: 12 }, (_, i) => ({
      bridge: `br-${i}`,
      subnet: `172.${20 + i}.0.0/16`,
      gateway: `172.${20 + i}.0.1`,
      internal: i % 3 === 0,
    }));
    const rules = (script: string) => script.split('\n').filter((l) => l.startsWith('add rule')).length;
    expect(rules(tableScript('berth', many))).toBe(rules(s));
    expect(
      portsUpScript('berth', '172.17.0.2', [{ proto: 'udp', hostIp: '', hostPort: 53, containerPort: 5353 }]),
    ).toBe('add element inet berth ports4 { udp . 53 : 172.17.0.2 . 5353 }\n');
    expect(portsDownScript('berth', [{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8001, containerPort: 80 }])).toBe(
      'delete element inet berth ports4ip { 127.0.0.1 . tcp . 8001 }\n',
    );
  });
});

describe("IPAM's allocation statement (the launcher runs the same)", () => {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  for (const m of migrations) db.exec(m);
  const net: NetworkRecord = {
    id: 'n'.repeat(64),
    name: 'n',
    driver: 'bridge',
    created: '',
    internal: false,
    attachable: false,
    ipv6: false,
    iface: 'br',
    subnet: '10.9.0.0/29',
    gateway: '10.9.0.1',
    firstAddr: parseIp4('10.9.0.1')!,
    lastAddr: parseIp4('10.9.0.6')!,
    userSubnet: true,
    options: {},
    labels: {},
    ipam: { Driver: 'default', Options: null, Config: [] },
  };
  db.prepare(
    `INSERT INTO networks VALUES (?, 'n', 'bridge', '', 0, 0, 0, 'br', '10.9.0.0/29', '10.9.0.1', ?, ?, 1, '{}', '{}', '{}')`,
  ).run(net.id, net.firstAddr, net.lastAddr);
  const sql = allocateSql(net, 0, parseIp4('10.9.0.1'));
  const add = (id: string) => {
    db.prepare(
      `INSERT INTO containers (id, name, image_id, image_name, created, path, args, config, host_config, layers, state)
       VALUES (?, ?, '', '', '', '', '[]', '{}', '{}', '[]', '{}')`,
    ).run(id, id);
    return db.prepare(sql).get(id, 1, 1) as { ip: string; mac: string } | undefined;
  };

  it('the lowest free address, never the gateway; nothing when full; a removed container frees its own', () => {
    expect(add('a')).toEqual({ ip: '10.9.0.2', mac: '02:42:0a:09:00:02' });
    expect(add('b')?.ip).toBe('10.9.0.3');
    expect(add('c')?.ip).toBe('10.9.0.4');
    db.prepare('DELETE FROM containers WHERE id = ?').run('b');
    expect(add('d')?.ip).toBe('10.9.0.3');
    expect(add('e')?.ip).toBe('10.9.0.5');
    expect(add('f')?.ip).toBe('10.9.0.6');
    expect(add('g')).toBeUndefined();
  });

  it("a build's RUN step, no container row, holds an address too (schema 6); removing containers leaves it", () => {
    db.prepare('DELETE FROM containers WHERE id = ?').run('c');
    expect(db.prepare(sql).get('step', 1, 1)).toEqual({ ip: '10.9.0.4', mac: '02:42:0a:09:00:04' });
    db.prepare('DELETE FROM containers').run();
    const left = db.prepare('SELECT container_id FROM endpoints').all();
    expect(left).toEqual([{ container_id: 'step' }]);
  });
});
