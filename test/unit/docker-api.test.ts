import { describe, expect, it } from 'vitest';
import { negotiate, queryString, filtersJson } from '../../src/client/docker-api/connection.js';
import { apiTime, engineEvent, loadedFrom, statsSample } from '../../src/client/docker-api/convert.js';
import { parseHost, resolveEndpoint, type ResolveEnv } from '../../src/client/docker-api/endpoint.js';
import { Demuxer, frame, LineSplitter, splitTimestamp } from '../../src/client/docker-api/mux.js';
import { DIAL, sshArgs } from '../../src/client/docker-api/ssh-dialer.js';
import { earlyHost } from '../../src/client/docker-api/early-link.js';
import { socketOf } from '../../src/client/docker-api/ssh-forward.js';
import { splitTag } from '../../src/client/docker-api/image-ops.js';
import { isBerthError } from '../../src/client/api.js';

describe('hosts', () => {
  it('parses docker’s host forms', () => {
    expect(parseHost('unix:///var/run/docker.sock')).toMatchObject({ kind: 'unix', path: '/var/run/docker.sock' });
    expect(parseHost('/run/podman.sock')).toMatchObject({ kind: 'unix', path: '/run/podman.sock' });
    expect(parseHost('tcp://10.0.0.1:2375')).toMatchObject({ kind: 'tcp', host: '10.0.0.1', port: 2375, tls: null });
    expect(parseHost('tcp://h')).toMatchObject({ port: 2375 });
    expect(parseHost('tcp://h', { verify: true })).toMatchObject({ port: 2376, tls: { verify: true } });
    expect(parseHost(':4000')).toMatchObject({ kind: 'tcp', host: '127.0.0.1', port: 4000 });
    expect(parseHost('tcp://[::1]:2375')).toMatchObject({ host: '::1', url: 'tcp://[::1]:2375' });
    expect(parseHost('ssh://me@box:2222')).toMatchObject({ kind: 'ssh', user: 'me', host: 'box', port: 2222 });
    expect(parseHost('ssh://box')).toMatchObject({ kind: 'ssh', user: '', host: 'box', port: null });
  });
  it('refuses what is not a host, and ssh arguments that would be options', () => {
    for (const bad of [
      '',
      'unix://rel',
      'ftp://x',
      'tcp://h:99999',
      'tcp://u@h',
      'ssh://-oProxyCommand=x',
      'ssh://-l@h',
    ])
      expect(() => parseHost(bad), bad).toThrow(/invalid host/);
    // "--" ends ssh's options before the host in any case
    expect(sshArgs({ user: 'u', host: 'h', port: 22 })).toEqual(
      expect.arrayContaining(['-l', 'u', '-p', '22', '--', 'h', DIAL]),
    );
    const a = sshArgs({ user: '', host: 'h', port: null });
    expect(a.slice(a.indexOf('--'))).toEqual(['--', 'h', DIAL]);
    // the dialer's connections share one link: ssh's ControlMaster on a control socket of its own
    const shared = sshArgs({ user: '', host: 'h', port: null }, [DIAL], '/tmp/x/cm');
    expect(shared.slice(0, 6)).toEqual([
      '-o',
      'ControlMaster=auto',
      '-o',
      'ControlPath=/tmp/x/cm',
      '-o',
      'ControlPersist=30',
    ]);
    expect(DIAL).toMatch(/exec docker system dial-stdio; else exec podman system dial-stdio/);
    // no remote command: the master alone
    const alone = sshArgs({ user: '', host: 'h', port: null }, [], '/tmp/x/cm');
    expect(alone).toContain('-N');
    expect(alone.slice(alone.indexOf('--'))).toEqual(['--', 'h']);
  });
  it('the engine’s socket on the remote host, as the remote CLI says it: a unix path or nothing', () => {
    expect(socketOf('unix:///var/run/docker.sock\n')).toBe('/var/run/docker.sock');
    expect(socketOf('unix:///run/user/1000/podman/podman.sock')).toBe('/run/user/1000/podman/podman.sock');
    for (const other of [
      'tcp://10.0.0.1:2375',
      'ssh://box',
      '',
      'unix://rel',
      'unix:///a b',
      'unix:///a:b',
      'no docker',
    ])
      expect(socketOf(other), other).toBeNull();
  });
  it('the host the app opens early: -H or DOCKER_HOST over ssh, nothing for --context or a store', () => {
    const env = { DOCKER_HOST: 'ssh://d' };
    expect(earlyHost(['-H', 'ssh://h'], env)).toBe('ssh://h');
    expect(earlyHost(['--host=ssh://h'], env)).toBe('ssh://h');
    expect(earlyHost([], env)).toBe('ssh://d');
    expect(earlyHost(['-H', 'unix:///x.sock'], env)).toBeNull();
    expect(earlyHost(['--context', 'c'], env)).toBeNull();
    expect(earlyHost(['--root', '/r'], env)).toBeNull();
    expect(earlyHost(['--root', '/r', '-H', 'ssh://h'], env)).toBe('ssh://h');
    expect(earlyHost([], {})).toBeNull();
  });
  it('chooses as the docker CLI does; berth’s default context is the embedded engine', () => {
    const env = (o: Partial<ResolveEnv> = {}): ResolveEnv => ({
      tls: () => null,
      currentContext: () => '',
      context: (name) => {
        if (name !== 'c1') throw new Error('no such context');
        return { name, host: 'ssh://c1host', tls: null };
      },
      ...o,
    });
    expect(resolveEndpoint({}, env())).toBeNull();
    expect(resolveEndpoint({}, env({ currentContext: () => 'default' }))).toBeNull();
    expect(resolveEndpoint({}, env({ currentContext: () => 'c1' }))?.endpoint.url).toBe('ssh://c1host');
    expect(resolveEndpoint({}, env({ DOCKER_CONTEXT: 'c1' }))?.context).toBe('c1');
    expect(resolveEndpoint({}, env({ DOCKER_HOST: 'tcp://a:1', DOCKER_CONTEXT: 'c1' }))?.endpoint.url).toBe(
      'tcp://a:1',
    );
    expect(resolveEndpoint({ context: 'c1' }, env({ DOCKER_HOST: 'tcp://a:1' }))?.context).toBe('c1');
    expect(resolveEndpoint({ host: 'tcp://b:2' }, env({ DOCKER_HOST: 'tcp://a:1' }))?.endpoint.url).toBe('tcp://b:2');
    expect(resolveEndpoint({ context: 'default' }, env({ DOCKER_HOST: 'tcp://a:1' }))).toBeNull();
    let err: unknown;
    try {
      resolveEndpoint({ host: 'tcp://b:2', context: 'c1' }, env());
    } catch (e) {
      err = e;
    }
    expect(isBerthError(err, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('API version and queries', () => {
  it('negotiates down to the engine’s version, never above the client’s', () => {
    expect(negotiate('1.41')).toBe('1.41');
    expect(negotiate('1.99')).toBe('1.43');
    expect(negotiate('1.9')).toBe('1.9');
    expect(negotiate(undefined)).toBe('1.24');
  });
  it('writes queries and filters as the API reads them', () => {
    expect(queryString({ all: true, t: 3, x: undefined, names: ['a', 'b'] })).toBe('?all=1&t=3&names=a&names=b');
    expect(filtersJson(new Map([['name', ['a', 'b']]]))).toBe('{"name":{"a":true,"b":true}}');
    expect(filtersJson(new Map())).toBeUndefined();
    expect(splitTag('reg:5000/a/b:1')).toEqual({ repo: 'reg:5000/a/b', tag: '1' });
    expect(splitTag('reg:5000/a')).toEqual({ repo: 'reg:5000/a', tag: '' });
  });
  it('since and until in the forms docker takes', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(apiTime(1_700_000_000_500)).toBe('1700000000.500');
    expect(apiTime('1700000000')).toBe('1700000000');
    expect(apiTime('10m', now)).toBe(((now - 600_000) / 1000).toFixed(3));
    expect(apiTime('2026-01-01T00:00:00Z')).toBe((now / 1000).toFixed(3));
  });
});

describe('streams', () => {
  it('demuxes frames however the chunks split, and refuses what is not the format', () => {
    const bytes = Buffer.concat([
      frame(1, Buffer.from('out\n')),
      frame(2, Buffer.from('err\n')),
      frame(1, Buffer.from('x')),
    ]);
    for (const cut of [1, 3, 8, 9, 13, bytes.length]) {
      const d = new Demuxer();
      const frames = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      expect(frames.map((f) => [f.stream, f.data.toString()])).toEqual([
        [1, 'out\n'],
        [2, 'err\n'],
        [1, 'x'],
      ]);
      expect(d.pending).toBe(0);
    }
    expect(() => new Demuxer().push(Buffer.from('HTTP/1.1 200 OK\r\n'))).toThrow(/multiplexed/);
  });
  it('keeps lines whole and splits docker’s timestamps to the nanosecond', () => {
    const s = new LineSplitter();
    expect(s.push('2026-12-03T15:00:00.123456789Z a')).toEqual([]);
    expect(s.push('b\nc')).toEqual(['2026-12-03T15:00:00.123456789Z ab\n']);
    expect(s.flush()).toEqual(['c']);
    const t = splitTimestamp('2026-12-03T15:00:00.000000001Z hello\n');
    expect(t).toEqual({
      time: '2026-12-03T15:00:00.000000001Z',
      timeNs: BigInt(Date.UTC(2026, 11, 3, 15)) * 1_000_000n + 1n,
      text: 'hello\n',
    });
    expect(splitTimestamp('no time\n')).toEqual({ time: '', timeNs: 0n, text: 'no time\n' });
  });
  it('stats with the docker CLI’s formulas', () => {
    const s = statsSample('id', 'n', {
      read: '2026-12-03T15:00:01Z',
      cpu_stats: { cpu_usage: { total_usage: 300 }, system_cpu_usage: 2000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 },
      memory_stats: { usage: 1000, limit: 4000, stats: { total_inactive_file: 200 } },
      networks: { eth0: { rx_bytes: 5, tx_bytes: 6, rx_packets: 1, tx_packets: 2 } },
      blkio_stats: {
        io_service_bytes_recursive: [
          { op: 'Read', value: 7 },
          { op: 'write', value: 8 },
        ],
      },
      pids_stats: { current: 3, limit: 18446744073709551615 },
    });
    expect(s).toMatchObject({
      cpuPercent: 40,
      memUsed: 800,
      memPercent: 20,
      netRxBytes: 5,
      blockRead: 7,
      blockWrite: 8,
    });
    expect(s).toMatchObject({ pids: 3, pidsLimit: null, time: Date.UTC(2026, 11, 3, 15, 0, 1) });
  });
  it('events from new and old engines; load’s messages', () => {
    const e = engineEvent(JSON.parse('{"status":"start","id":"abc","from":"bb","time":5,"timeNano":"5000000007"}'));
    expect(e).toMatchObject({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { image: 'bb' } } });
    expect(e.timeNano).toBe(5_000_000_007n);
    expect(loadedFrom(['Loaded image: a:1', 'Loaded image ID: sha256:ab', 'Loaded image(s): b:2,c:3'])).toEqual({
      tags: ['a:1', 'b:2', 'c:3'],
      ids: ['sha256:ab'],
    });
  });
});
