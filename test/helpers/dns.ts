/**
 * DNS messages for the tests of berth-dns: queries written and replies read by hand (RFC 1035, the
 * little the tests need), a client over UDP and TCP, and a small upstream server that the responder
 * forwards to, on a loopback address, which records what it was asked.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, connect, isIPv4, type Server } from 'node:net';

export const T = { A: 1, PTR: 12, MX: 15, TXT: 16, AAAA: 28, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;

export function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
}

export function query(name: string, type: number, opts: { id?: number; edns?: number } = {}): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(opts.id ?? Math.floor(Math.random() * 65536), 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(opts.edns ? 1 : 0, 10);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(type, 0);
  q.writeUInt16BE(1, 2);
  const parts = [header, encodeName(name), q];
  if (opts.edns) {
    const opt = Buffer.alloc(11);
    opt.writeUInt16BE(41, 1);
    opt.writeUInt16BE(opts.edns, 3);
    parts.push(opt);
  }
  return Buffer.concat(parts);
}

function readName(buf: Buffer, off: number): [string, number] {
  const labels: string[] = [];
  let end = -1;
  for (let jumps = 0; jumps < 20;) {
    const len = buf[off];
    if (len === undefined) throw new Error('name past the end');
    if ((len & 0xc0) === 0xc0) {
      if (end < 0) end = off + 2;
      off = ((len & 0x3f) << 8) | buf[off + 1];
      jumps++;
      continue;
    }
    if (len === 0) return [labels.join('.'), end < 0 ? off + 1 : end];
    labels.push(buf.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += 1 + len;
  }
  throw new Error('pointer loop');
}

export interface Answer {
  name: string;
  type: number;
  ttl: number;
  data: string;
}

export interface Reply {
  id: number;
  rcode: number;
  tc: boolean;
  aa: boolean;
  ra: boolean;
  qr: boolean;
  question: string;
  answers: Answer[];
  additional: number;
}

export function parseReply(buf: Buffer): Reply {
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let off = 12;
  let question = '';
  for (let k = 0; k < qd; k++) {
    [question, off] = readName(buf, off);
    off += 4;
  }
  const answers: Answer[] = [];
  for (let k = 0; k < an; k++) {
    let name: string;
    [name, off] = readName(buf, off);
    const type = buf.readUInt16BE(off);
    const ttl = buf.readUInt32BE(off + 4);
    const rdlen = buf.readUInt16BE(off + 8);
    const rdata = buf.subarray(off + 10, off + 10 + rdlen);
    let data: string;
    if (type === T.A) data = [...rdata].join('.');
    else if (type === T.AAAA) data = rdata.toString('hex').replace(/(.{4})(?!$)/g, '$1:');
    else if (type === T.PTR) data = readName(buf, off + 10)[0];
    else data = rdata.toString('hex');
    answers.push({ name, type, ttl, data });
    off += 10 + rdlen;
  }
  return {
    id: buf.readUInt16BE(0),
    qr: !!(flags & 0x8000),
    aa: !!(flags & 0x0400),
    tc: !!(flags & 0x0200),
    ra: !!(flags & 0x0080),
    rcode: flags & 0xf,
    question,
    answers,
    additional: buf.readUInt16BE(10),
  };
}

/** Send one datagram to host:port and wait for the first reply (null after timeoutMs). */
export function udpAsk(host: string, port: number, msg: Buffer, timeoutMs = 5000): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const sock = createSocket(isIPv4(host) ? 'udp4' : 'udp6');
    const timer = setTimeout(() => done(null), timeoutMs);
    function done(b: Buffer | null) {
      clearTimeout(timer);
      sock.close();
      resolve(b);
    }
    sock.on('message', (b) => done(b));
    sock.on('error', () => done(null));
    sock.send(msg, port, host);
  });
}

/** Send messages over one TCP connection (all in one write: pipelined) and read as many replies. */
export function tcpAsk(host: string, port: number, msgs: Buffer[], timeoutMs = 5000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const replies: Buffer[] = [];
    let got = Buffer.alloc(0);
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${replies.length} of ${msgs.length} TCP replies before the timeout`));
    }, timeoutMs);
    sock.on('connect', () => {
      sock.write(
        Buffer.concat(
          msgs.flatMap((m) => {
            const len = Buffer.alloc(2);
            len.writeUInt16BE(m.length);
            return [len, m];
          }),
        ),
      );
    });
    sock.on('data', (d) => {
      got = Buffer.concat([got, d]);
      while (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        const len = got.readUInt16BE(0);
        replies.push(got.subarray(2, 2 + len));
        got = got.subarray(2 + len);
      }
      if (replies.length === msgs.length) {
        clearTimeout(timer);
        sock.end();
        resolve(replies);
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export interface Seen {
  name: string;
  type: number;
  id: number;
  transport: 'udp' | 'tcp';
}

/**
 * A small upstream DNS server on host:port (UDP and TCP). It answers:
 * - `fwd.test` and `*.fwd.test`: A 192.0.2.1 (TTL 60);
 * - `big.test`: over UDP an empty reply with TC set, over TCP 40 A records;
 * - `silent.test`: nothing (the responder must time out);
 * - anything else: NXDOMAIN.
 */
export class TestUpstream {
  seen: Seen[] = [];
  private udp?: Socket;
  private tcp?: Server;

  constructor(
    readonly host: string,
    readonly port = 53,
  ) {}

  async start(): Promise<void> {
    const udp = createSocket('udp4');
    this.udp = udp;
    udp.on('message', (msg, rinfo) => {
      const r = this.reply(msg, 'udp');
      if (r) udp.send(r, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.port, this.host, () => resolve());
    });
    this.tcp = createServer((sock) => {
      let got = Buffer.alloc(0);
      sock.on('data', (d) => {
        got = Buffer.concat([got, d]);
        while (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
          const msg = got.subarray(2, 2 + got.readUInt16BE(0));
          got = got.subarray(2 + msg.length);
          const r = this.reply(msg, 'tcp');
          if (r) {
            const len = Buffer.alloc(2);
            len.writeUInt16BE(r.length);
            sock.write(Buffer.concat([len, r]));
          }
        }
      });
      sock.on('error', () => {});
    });
    const tcp = this.tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.port, this.host, () => resolve());
    });
  }

  async stop(): Promise<void> {
    this.udp?.close();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }

  private reply(msg: Buffer, transport: 'udp' | 'tcp'): Buffer | null {
    const id = msg.readUInt16BE(0);
    const [name, end] = readName(msg, 12);
    const type = msg.readUInt16BE(end);
    this.seen.push({ name: name.toLowerCase(), type, id, transport });
    const lname = name.toLowerCase();
    if (lname === 'silent.test') return null;
    const question = msg.subarray(12, end + 4);
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    const answers: Buffer[] = [];
    let flags = 0x8180; // QR RD RA
    const a = (ip: string) => {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(T.A, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(4, 10);
      ip.split('.').forEach((o, k) => rr.writeUInt8(Number(o), 12 + k));
      return rr;
    };
    if (lname === 'fwd.test' || lname.endsWith('.fwd.test')) {
      if (type === T.A) answers.push(a('192.0.2.1'));
    } else if (lname === 'big.test') {
      if (transport === 'udp') flags |= 0x0200;
      else for (let k = 1; k <= 40; k++) answers.push(a(`198.51.100.${k}`));
    } else {
      flags |= 3; // NXDOMAIN
    }
    header.writeUInt16BE(flags, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    return Buffer.concat([header, question, ...answers]);
  }
}
