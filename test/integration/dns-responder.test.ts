/**
 * berth-dns, the per-network DNS responder (native/dns), run for real on loopback addresses of this
 * test's own, with record files as the engine writes them, asked with dig, a hand-made client and
 * busybox nslookup from a network namespace; names it does not hold go to a small upstream server
 * (test/helpers/dns.ts) on another loopback address, never to any outside address.
 * Its lifecycle (lock, exit, hostile files, resolv.conf, idle cost): dns-responder-lifecycle.test.ts.
 */
import { rmSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, expect } from 'vitest';
import { describeIf, itIf } from '../helpers/env.js';
import { RCODE, T, TestUpstream, parseReply, query, tcpAsk, udpAsk } from '../helpers/dns.js';
import {
  dig,
  digStatus,
  dnsDirs,
  dnsSkipReason,
  loopback,
  makeNetns,
  removeRecord,
  startResponder,
  stopResponder,
  writeRecord,
} from '../helpers/dns-responder.js';

const reason = dnsSkipReason();
const it = itIf(reason);

describeIf(reason)('berth-dns: answers and forwarding', () => {
  const server = loopback(1);
  const refused = loopback(21); // nothing listens there
  const upstream = new TestUpstream(loopback(20));
  const dirs = dnsDirs('answers');
  let pid: number | null = null;

  beforeAll(async () => {
    await upstream.start();
    writeRecord(dirs.records, 'c1', {
      names: ['web1', 'Alias1', '0123456789ab'],
      ipv4: ['172.18.0.2'],
      ipv6: ['fd00:18::2'],
    });
    writeRecord(dirs.records, 'c2', { names: ['db'], ipv4: ['172.18.0.3'] });
    for (let k = 0; k < 100; k++)
      writeRecord(dirs.records, `m${k}`, { names: [`m${k}`, 'many'], ipv4: [`10.1.${k}.2`] });
    const r = startResponder(
      ['--records', dirs.records, '--listen', server, '--upstream', upstream.host, '--upstream', refused],
      dirs.pidfile,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    pid = r.pid;
  });

  afterAll(async () => {
    stopResponder(pid);
    await upstream.stop();
    rmSync(dirs.base, { recursive: true, force: true });
  });

  it('answers A, AAAA and PTR from the records, by name, alias and short ID, in any case', async () => {
    expect(await dig(server, ['web1'])).toBe('172.18.0.2');
    expect(await dig(server, ['WEB1.'])).toBe('172.18.0.2');
    expect(await dig(server, ['alias1', 'A'])).toBe('172.18.0.2');
    expect(await dig(server, ['0123456789AB'])).toBe('172.18.0.2');
    expect(await dig(server, ['web1', 'AAAA'])).toBe('fd00:18::2');
    expect(await dig(server, ['-x', '172.18.0.2'])).toBe('web1.');
    expect(await dig(server, ['-x', 'fd00:18::2'])).toBe('web1.');
    const full = await dig(server, ['Web1'], true);
    expect(full).toMatch(/flags: qr aa rd ra;/);
    expect(full).toMatch(/^Web1\.\s+5\s+IN\s+A\s+172\.18\.0\.2$/m); // the name as asked, TTL 5
  });

  it('a name with addresses of the other family only: NOERROR and no answers, never NXDOMAIN', async () => {
    const out = await dig(server, ['db', 'AAAA'], true);
    expect(digStatus(out)).toBe('NOERROR');
    expect(out).toMatch(/ANSWER: 0,/);
    expect(digStatus(await dig(server, ['db', 'MX'], true))).toBe('NOERROR');
  });

  it('answers stay current: a record added, changed and removed is seen by the next query', async () => {
    writeRecord(dirs.records, 'c3', { names: ['late'], ipv4: ['172.18.0.9'] });
    expect(await dig(server, ['late'])).toBe('172.18.0.9');
    writeRecord(dirs.records, 'c3', { names: ['late'], ipv4: ['172.18.0.10'] });
    expect(await dig(server, ['late'])).toBe('172.18.0.10');
    expect(await dig(server, ['-x', '172.18.0.10'])).toBe('late.');
    removeRecord(dirs.records, 'c3');
    // no longer ours: forwarded, and the upstream knows no such name
    expect(digStatus(await dig(server, ['late'], true))).toBe('NXDOMAIN');
    expect(upstream.seen.some((s) => s.name === 'late')).toBe(true);
  });

  it('forwards other names to the upstream under another ID, and hands the answer back under the client’s', async () => {
    expect(await dig(server, ['fwd.test'])).toBe('192.0.2.1');
    const replies = await Promise.all(
      [0x4242, 0x4243].map(async (id) => parseReply((await udpAsk(server, 53, query('x.fwd.test', T.A, { id })))!)),
    );
    expect(replies.map((r) => [r.id, r.rcode, r.answers[0]?.data])).toEqual([
      [0x4242, RCODE.NOERROR, '192.0.2.1'],
      [0x4243, RCODE.NOERROR, '192.0.2.1'],
    ]);
    const ids = upstream.seen.filter((s) => s.name === 'x.fwd.test').map((s) => s.id);
    expect(ids).toHaveLength(2);
    expect(ids).not.toEqual([0x4242, 0x4243]);
    expect(digStatus(await dig(server, ['nosuch.example'], true))).toBe('NXDOMAIN');
  });

  it('SERVFAIL when no upstream answers (one refuses, one stays silent)', async () => {
    const out = await dig(server, ['silent.test', '+time=8'], true);
    expect(digStatus(out)).toBe('SERVFAIL');
    expect(upstream.seen.filter((s) => s.name === 'silent.test')).toHaveLength(1);
  });

  it('serves TCP clients over TCP, forwarding over TCP, several queries in one connection', async () => {
    expect(await dig(server, ['+tcp', 'web1'])).toBe('172.18.0.2');
    const before = upstream.seen.length;
    expect(await dig(server, ['+tcp', 'fwd.test'])).toBe('192.0.2.1');
    expect(upstream.seen.slice(before).map((s) => s.transport)).toEqual(['tcp']);
    const msgs = [query('web1', T.A, { id: 1 }), query('fwd.test', T.A, { id: 2 }), query('web1', T.AAAA, { id: 3 })];
    const replies = (await tcpAsk(server, 53, msgs)).map(parseReply).sort((a, b) => a.id - b.id);
    expect(replies.map((r) => [r.id, r.answers.map((a) => a.data)])).toEqual([
      [1, ['172.18.0.2']],
      [2, ['192.0.2.1']],
      [3, ['fd00:0018:0000:0000:0000:0000:0000:0002']],
    ]);
  });

  it('a truncated upstream answer is asked again over TCP; what a UDP client cannot take comes with TC', async () => {
    const before = upstream.seen.length;
    const big = parseReply((await udpAsk(server, 53, query('big.test', T.A, { edns: 4096 })))!);
    expect(big.tc).toBe(false);
    expect(big.answers).toHaveLength(40);
    expect(upstream.seen.slice(before).map((s) => s.transport)).toEqual(['udp', 'tcp']);
    // 40 records do not fit into 512 bytes: TC, and the client asks again over TCP
    const small = parseReply((await udpAsk(server, 53, query('big.test', T.A)))!);
    expect([small.tc, small.answers.length]).toEqual([true, 0]);
    expect((await dig(server, ['big.test'])).split('\n')).toHaveLength(40);
  });

  it('its own long answers: as many as fit with TC over UDP, all over TCP (dig retries by itself)', async () => {
    const out = await dig(server, ['many', '+noedns', '+ignore'], true);
    expect(out).toMatch(/flags: qr aa tc rd ra;/);
    expect(Number(/ANSWER: (\d+)/.exec(out)?.[1])).toBe(Math.floor((512 - 12 - 10) / 16));
    expect((await dig(server, ['many'])).split('\n').sort()).toEqual(
      Array.from({ length: 100 }, (_, k) => `10.1.${k}.2`).sort(),
    );
  });

  it('malformed queries: FORMERR for a cut one, nothing for junk; it answers on', async () => {
    const q = query('web1', T.A, { id: 0x7777 });
    const cut = parseReply((await udpAsk(server, 53, q.subarray(0, q.length - 3)))!);
    expect([cut.id, cut.qr, cut.rcode]).toEqual([0x7777, true, RCODE.FORMERR]);
    const loop = Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(parseReply((await udpAsk(server, 53, loop))!).rcode).toBe(RCODE.FORMERR);
    const notimp = Buffer.from(q);
    notimp.writeUInt16BE(0x2000, 2); // opcode STATUS
    expect(parseReply((await udpAsk(server, 53, notimp))!).rcode).toBe(RCODE.NOTIMP);
    for (const junk of [Buffer.from('hello'), Buffer.alloc(3000, 0xff), Buffer.from(q).fill(0xc0, 12)])
      await udpAsk(server, 53, junk, 200);
    const response = Buffer.from(q);
    response.writeUInt16BE(0x8100, 2); // a response sent to it: never answered (no reply loops)
    expect(await udpAsk(server, 53, response, 300)).toBeNull();
    expect(await dig(server, ['web1'])).toBe('172.18.0.2');
  });

  it('--no-forward (an --internal network): its names answered, every other name REFUSED without asking upstream', async () => {
    const d = dnsDirs('internal');
    let pid2: number | null = null;
    try {
      writeRecord(d.records, 'c1', { names: ['web1'], ipv4: ['172.18.0.2'] });
      const r = startResponder(['--records', d.records, '--listen', loopback(22), '--no-forward'], d.pidfile);
      expect(r.status).toBe(0);
      pid2 = r.pid;
      expect(await dig(loopback(22), ['web1'])).toBe('172.18.0.2');
      const before = upstream.seen.length;
      const out = await dig(loopback(22), ['fwd.test'], true);
      expect(digStatus(out)).toBe('REFUSED');
      expect(out).toMatch(/flags: qr rd;/); // no recursion available
      expect(upstream.seen.length).toBe(before);
    } finally {
      stopResponder(pid2);
      rmSync(d.base, { recursive: true, force: true });
    }
  });

  it('busybox nslookup in another network namespace gets names, addresses and forwarded names', async () => {
    const n = process.pid % 250;
    const hostAddr = `10.234.${n}.1`;
    const ns = `bdns${process.pid % 100000}`;
    const dir2 = dnsDirs('netns');
    const cleanup = makeNetns(ns, hostAddr, `10.234.${n}.2`);
    let pid2: number | null = null;
    try {
      writeRecord(dir2.records, 'c1', { names: ['web1', 'alias1'], ipv4: ['172.18.0.2'] });
      const r = startResponder(
        ['--records', dir2.records, '--listen', hostAddr, '--upstream', upstream.host],
        dir2.pidfile,
      );
      expect(r.status).toBe(0);
      pid2 = r.pid;
      const lookup = async (name: string) =>
        String(
          (await execa('ip', ['netns', 'exec', ns, 'busybox', 'nslookup', name, hostAddr], { reject: false })).stdout,
        );
      expect(await lookup('web1')).toMatch(/Name:\s+web1\s+Address:\s+172\.18\.0\.2/);
      expect(await lookup('ALIAS1')).toMatch(/Address:\s+172\.18\.0\.2/);
      expect(await lookup('fwd.test')).toMatch(/Address:\s+192\.0\.2\.1/);
      expect(await lookup('172.18.0.2')).toMatch(/name = web1/);
    } finally {
      stopResponder(pid2);
      cleanup();
      rmSync(dir2.base, { recursive: true, force: true });
    }
  });
});
