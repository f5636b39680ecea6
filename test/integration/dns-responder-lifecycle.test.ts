/**
 * berth-dns's lifecycle, as the interface with the network code has it (native/dns; the engine
 * starts it with a network's first running container): a daemon that returns once it listens or
 * fails with one line; one per records directory (flock); gone when the directory holds no record
 * file or is removed; hostile record files skipped and logged; the host's resolv.conf as default
 * upstreams; asleep when idle, under 1 MiB resident.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { describeIf, itIf } from '../helpers/env.js';
import { TestUpstream } from '../helpers/dns.js';
import {
  DNS_BIN,
  alive,
  dig,
  digStatus,
  dnsDirs,
  dnsSkipReason,
  loopback,
  removeRecord,
  rssKiB,
  startResponder,
  stopResponder,
  wakeups,
  waitGone,
  writeRecord,
} from '../helpers/dns-responder.js';

const reason = dnsSkipReason();
const it = itIf(reason);
const straceMissing =
  spawnSync('strace', ['-V']).status === 0 ? null : 'strace is not installed (scripts/peers.sh installs it)';

describeIf(reason)('berth-dns: lifecycle', () => {
  const upstream = new TestUpstream(loopback(40));
  const started: number[] = [];
  const bases: string[] = [];

  function dirs(prefix: string) {
    const d = dnsDirs(prefix);
    bases.push(d.base);
    return d;
  }
  function start(args: string[], pidfile?: string) {
    const r = startResponder(args, pidfile);
    if (r.pid) started.push(r.pid);
    return r;
  }

  beforeAll(() => upstream.start());
  afterAll(async () => {
    for (const pid of started) stopResponder(pid);
    await upstream.stop();
    for (const b of bases) rmSync(b, { recursive: true, force: true });
  });

  it('daemonizes: the starting process returns once it listens, the daemon writes its pidfile', async () => {
    const d = dirs('daemon');
    writeRecord(d.records, 'c1', { names: ['web1'], ipv4: ['172.18.0.2'] });
    const r = start(['--records', d.records, '--listen', loopback(2), '--upstream', upstream.host], d.pidfile);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.pid && alive(r.pid)).toBe(true);
    // a session of its own (double fork: not its leader, so it never gets a terminal)
    const session = (pid: number | string) =>
      Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[3]);
    expect(session(r.pid!)).not.toBe(session('self'));
    expect(session(r.pid!)).not.toBe(r.pid);
    expect(await dig(loopback(2), ['web1'])).toBe('172.18.0.2');
    expect(readFileSync(d.log, 'utf8')).toMatch(/serving 1 record files/);
    // signals reach the daemon: SIGHUP reads the records again, SIGTERM stops it
    process.kill(r.pid!, 'SIGHUP');
    for (let k = 0; k < 250 && !/SIGHUP/.test(readFileSync(d.log, 'utf8')); k++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readFileSync(d.log, 'utf8')).toMatch(/SIGHUP: reading .* again/);
    expect(await dig(loopback(2), ['web1'])).toBe('172.18.0.2');
    process.kill(r.pid!, 'SIGTERM');
    expect(await waitGone(r.pid!)).toBe(true);
    expect(existsSync(d.pidfile)).toBe(false);
  });

  it('a second instance for the same directory exits 0 at once; the first keeps serving', async () => {
    const d = dirs('flock');
    writeRecord(d.records, 'c1', { names: ['web1'], ipv4: ['172.18.0.2'] });
    const first = start(['--records', d.records, '--listen', loopback(3), '--upstream', upstream.host], d.pidfile);
    expect(first.status).toBe(0);
    const second = spawnSync(DNS_BIN, ['--records', d.records, '--listen', loopback(3), '--pidfile', d.pidfile], {
      encoding: 'utf8',
    });
    expect([second.status, second.stderr]).toEqual([0, '']);
    expect(Number(readFileSync(d.pidfile, 'utf8'))).toBe(first.pid);
    expect(await dig(loopback(3), ['web1'])).toBe('172.18.0.2');
  });

  it('exits when the directory holds no record file, and removes its pidfile', async () => {
    const d = dirs('empty');
    writeRecord(d.records, 'c1', { names: ['web1'], ipv4: ['172.18.0.2'] });
    writeRecord(d.records, 'c2', { names: ['web2'], ipv4: ['172.18.0.3'] });
    const r = start(['--records', d.records, '--listen', loopback(4), '--upstream', upstream.host], d.pidfile);
    removeRecord(d.records, 'c1');
    expect(await dig(loopback(4), ['web2'])).toBe('172.18.0.3');
    expect(alive(r.pid!)).toBe(true);
    writeFileSync(join(d.records, 'notes.txt'), 'not a record file');
    removeRecord(d.records, 'c2');
    expect(await waitGone(r.pid!)).toBe(true);
    expect(existsSync(d.pidfile)).toBe(false);
    expect(readFileSync(d.log, 'utf8')).toMatch(/no record file left/);
    // and a start with no record file serves nothing: it leaves at once
    const again = start(['--records', d.records, '--listen', loopback(4)], d.pidfile);
    expect([again.status, again.pid]).toEqual([0, null]);
  });

  it('exits when its directory is removed', async () => {
    const d = dirs('removed');
    writeRecord(d.records, 'c1', { names: ['web1'], ipv4: ['172.18.0.2'] });
    const r = start(['--records', d.records, '--listen', loopback(5), '--upstream', upstream.host], d.pidfile);
    expect(r.status).toBe(0);
    rmSync(d.records, { recursive: true });
    expect(await waitGone(r.pid!)).toBe(true);
  });

  itIf(reason ?? straceMissing)(
    'the last record and a new first one crossing: the exiting responder serves on (strace slows its unlock)',
    async () => {
      const d = dirs('handoff');
      writeRecord(d.records, 'c1', { names: ['web1'], ipv4: ['172.18.0.2'] });
      const r = start(['--records', d.records, '--listen', loopback(10), '--upstream', upstream.host], d.pidfile);
      // its next flock(2) (the unlock after the last record went) waits 3 s
      const tracer = spawn(
        'strace',
        [
          '-qq',
          '-o',
          '/dev/null',
          '-p',
          String(r.pid),
          '-e',
          'trace=flock',
          '-e',
          'inject=flock:delay_enter=3000000:when=1',
        ],
        { stdio: 'ignore' },
      );
      try {
        await new Promise((resolve) => setTimeout(resolve, 300)); // strace attached
        removeRecord(d.records, 'c1');
        // it has given up its sockets and pidfile, and not yet the lock: a container starts now
        for (let k = 0; k < 250 && existsSync(d.pidfile); k++) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(existsSync(d.pidfile)).toBe(false);
        writeRecord(d.records, 'c2', { names: ['web2'], ipv4: ['172.18.0.3'] });
        const second = start(['--records', d.records, '--listen', loopback(10)], d.pidfile);
        expect([second.status, second.pid]).toEqual([0, null]); // the lock is held: it leaves it to the first
        // the first looks again after its unlock, finds web2, and serves on
        for (let k = 0; k < 250 && !existsSync(d.pidfile); k++) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(Number(readFileSync(d.pidfile, 'utf8'))).toBe(r.pid);
        expect(await dig(loopback(10), ['web2'])).toBe('172.18.0.3');
        expect(readFileSync(d.log, 'utf8')).toMatch(/a record file came as the last went: serving on/);
      } finally {
        tracer.kill();
      }
    },
    20_000,
  );

  it('fails with one line and exit 1 when it cannot listen, leaving nothing running', async () => {
    const d = dirs('taken');
    writeRecord(d.records, 'c1', { names: ['web1'], ipv4: ['172.18.0.2'] });
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(53, loopback(6), () => resolve()));
    try {
      const r = start(['--records', d.records, '--listen', loopback(6)], d.pidfile);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`berth-dns: listen on ${loopback(6)}:53 (udp): address already in use\n`);
      expect(existsSync(d.pidfile)).toBe(false);
      // an address this host does not have
      const r2 = start(['--records', d.records, '--listen', '192.0.2.77'], d.pidfile);
      expect([r2.status, r2.stderr]).toEqual([
        1,
        'berth-dns: listen on 192.0.2.77:53 (udp): cannot assign requested address\n',
      ]);
      // usage errors
      const r3 = spawnSync(DNS_BIN, ['--records', d.records, '--listen', 'web1'], { encoding: 'utf8' });
      expect([r3.status, r3.stderr]).toEqual([1, 'berth-dns: --listen web1: not an IP address\n']);
      const r4 = spawnSync(DNS_BIN, ['--records', join(d.base, 'nope'), '--listen', loopback(6)], { encoding: 'utf8' });
      expect(r4.status).toBe(1);
      expect(r4.stderr).toMatch(/^berth-dns: open .*nope\/\.lock: no such file or directory\n$/);
    } finally {
      taken.close();
    }
  });

  it('skips hostile record files (not JSON, huge, bad addresses or names, FIFO, symlink), logs each, serves on', async () => {
    const d = dirs('hostile');
    const outside = join(d.base, 'outside.json');
    writeFileSync(outside, JSON.stringify({ names: ['linked'], ipv4: ['172.18.0.66'] }));
    writeRecord(d.records, 'good', { names: ['good'], ipv4: ['172.18.0.2'] });
    writeRecord(d.records, 'notjson', '{"names": ["notjson"');
    writeRecord(d.records, 'huge', JSON.stringify({ names: ['huge'], ipv4: ['172.18.0.7'], pad: 'x'.repeat(100_000) }));
    writeRecord(d.records, 'badaddr', { names: ['badaddr'], ipv4: ['172.18.0.300'] });
    writeRecord(d.records, 'badname', { names: ['ok-name', 'a..b'], ipv4: ['172.18.0.8'] });
    writeRecord(d.records, 'nul', '{"names":["nul"],"ipv4":["172.18.0.9"]}\0garbage');
    execFileSync('mkfifo', [join(d.records, 'fifo.json')]);
    const r = start(['--records', d.records, '--listen', loopback(7), '--upstream', upstream.host], d.pidfile);
    expect([r.status, r.stderr]).toEqual([0, '']);
    // the same, arriving while it runs
    symlinkSync(outside, join(d.records, 'link.json'));
    writeRecord(d.records, 'deep', '['.repeat(10_000));
    mkdirSync(join(d.records, 'dir.json'));
    expect(await dig(loopback(7), ['good'])).toBe('172.18.0.2');
    for (const name of ['notjson', 'huge', 'badaddr', 'ok-name', 'nul', 'linked'])
      expect(digStatus(await dig(loopback(7), [name], true))).toBe('NXDOMAIN'); // not ours: forwarded
    expect(alive(r.pid!)).toBe(true);
    const log = readFileSync(d.log, 'utf8');
    for (const [file, why] of [
      ['notjson', /unterminated|expected/],
      ['huge', /bytes \(at most 65536\)/],
      ['badaddr', /"ipv4"\[0\] is not an IPv4 address/],
      ['badname', /"names"\[1\] is not a valid DNS name/],
      ['nul', /NUL byte/],
      ['fifo', /not a regular file/],
      ['link', /too many levels of symbolic links/],
      ['deep', /nested too deeply/],
    ] as const)
      expect(log).toMatch(new RegExp(`${file}\\.json skipped: .*${why.source}`));
    // a skipped file still counts as present: the responder stays until it is removed
    for (const f of ['good', 'notjson', 'huge', 'badaddr', 'badname', 'nul', 'fifo', 'link', 'deep'])
      rmSync(join(d.records, `${f}.json`));
    expect(alive(r.pid!)).toBe(true);
    rmSync(join(d.records, 'dir.json'), { recursive: true });
    expect(await waitGone(r.pid!)).toBe(true);
  });

  it('without --upstream, forwards to the nameservers of the host’s resolv.conf, read again when it changes', async () => {
    const d = dirs('resolv');
    writeRecord(d.records, 'c1', { names: ['web1'], ipv4: ['172.18.0.2'] });
    const conf = join(d.base, 'resolv.conf');
    writeFileSync(conf, `# test\nsearch example.com\nnameserver ${loopback(41)}\nnameserver ${upstream.host}\n`);
    // the host's /etc/resolv.conf, as this responder sees it: its own mount namespace
    const sh = `mount --bind ${conf} /etc/resolv.conf && exec ${DNS_BIN} --records ${d.records} --listen ${loopback(8)} --pidfile ${d.pidfile}`;
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', sh], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    started.push(Number(readFileSync(d.pidfile, 'utf8')));
    // the first nameserver refuses (nothing listens), the second answers
    expect(await dig(loopback(8), ['fwd.test'])).toBe('192.0.2.1');
    writeFileSync(conf, `nameserver ${loopback(41)}\n`);
    expect(digStatus(await dig(loopback(8), ['fwd.test'], true))).toBe('SERVFAIL');
    // its own address as a nameserver is left out (no loop)
    writeFileSync(conf, `nameserver ${loopback(8)}\nnameserver ${upstream.host}\n`);
    expect(await dig(loopback(8), ['a.fwd.test'])).toBe('192.0.2.1');
  });

  it('is idle-cheap: asleep (no wake-ups) with nothing to do, under 1 MiB resident', async () => {
    const d = dirs('idle');
    for (let k = 0; k < 100; k++) writeRecord(d.records, `c${k}`, { names: [`c${k}`], ipv4: [`10.2.${k}.2`] });
    const r = start(['--records', d.records, '--listen', loopback(9), '--upstream', upstream.host], d.pidfile);
    expect(await dig(loopback(9), ['c42'])).toBe('10.2.42.2');
    expect(await dig(loopback(9), ['fwd.test'])).toBe('192.0.2.1');
    const before = wakeups(r.pid!);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(wakeups(r.pid!)).toBe(before);
    expect(rssKiB(r.pid!)).toBeLessThan(1024);
  });
});
