/**
 * Hijacked connections (attach, exec start), as dockerd does them: the
 * client asks with `Connection: Upgrade` and `Upgrade: tcp` and gets
 * `101 UPGRADED`; an old client that does not ask gets `200 OK` on the same
 * raw terms (the service's front turns its request into an upgrade, see
 * legacy-hijack.ts). Afterwards the socket carries the client's stdin one
 * way and the container's output the other: raw with a tty, otherwise in
 * 8-byte-header frames (stream type, three zero bytes, big-endian length).
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { MAX_JSON_BODY } from './body.js';
import { DEADLINES } from './deadlines.js';
import { badRequest, errorBody, httpErrorOf } from './errors.js';

export const RAW_STREAM = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

/** Stream types of the multiplexed framing (docker's stdcopy). */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEMERR = 3;

/** One frame of docker's multiplexed stream. */
export function muxFrame(stream: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8 + data.length);
  h[0] = stream;
  h.writeUInt32BE(data.length, 4);
  data.copy(h, 8);
  return h;
}

/** What a hijacking handler works with. */
export interface Hijacker {
  /** The request body (exec start's JSON), read before taking over. */
  body(limit?: number): Promise<Buffer>;
  /** Answer with an error instead of taking over. */
  fail(e: unknown): void;
  /** Take over the connection: the response head goes out; the stream carries stdin in and output out. */
  take(contentType: string): Duplex;
  /** Answer 200 with no body and no takeover (a detached exec start). */
  ok(): void;
  /** Whether the client went through an upgrade (it can send stdin). */
  readonly interactive: boolean;
}

/** Extra headers every response carries (Api-Version, Server, ...). */
export type CommonHeaders = () => Record<string, string>;

/** Over the raw socket of an upgrade request (or of a legacy request the front turned into one). */
export class SocketHijacker implements Hijacker {
  readonly interactive = true;
  private leftover: Buffer;
  private taken = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly socket: Socket,
    head: Buffer,
    private readonly legacy: boolean,
    private readonly headers: CommonHeaders,
  ) {
    this.leftover = head;
  }

  body(limit = MAX_JSON_BODY): Promise<Buffer> {
    if (this.req.headers['transfer-encoding'])
      return Promise.reject(badRequest('a chunked body cannot be sent with a connection upgrade'));
    const len = Number(this.req.headers['content-length'] ?? 0);
    if (!Number.isSafeInteger(len) || len < 0) return Promise.reject(badRequest('bad Content-Length'));
    if (len > limit) return Promise.reject(badRequest(`request body is larger than ${limit} bytes`));
    return new Promise((resolve, reject) => {
      const take = () => {
        if (this.leftover.length < len) return false;
        const body = this.leftover.subarray(0, len);
        this.leftover = this.leftover.subarray(len);
        resolve(Buffer.from(body));
        return true;
      };
      if (take()) return;
      const timer = setTimeout(() => done(badRequest('request body timed out')), DEADLINES.hijackBodyMs);
      const done = (e?: Error) => {
        clearTimeout(timer);
        this.socket.off('data', onData);
        this.socket.off('close', onClose);
        this.socket.pause();
        if (e) reject(e);
      };
      const onData = (d: Buffer) => {
        this.leftover = Buffer.concat([this.leftover, d]);
        if (take()) done();
      };
      const onClose = () => done(badRequest('the client closed the connection'));
      this.socket.on('data', onData);
      this.socket.on('close', onClose);
      this.socket.resume();
    });
  }

  fail(e: unknown): void {
    if (this.taken) {
      this.socket.destroy();
      return;
    }
    this.taken = true;
    const { status, message } = httpErrorOf(e);
    const body = errorBody(message);
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...Object.entries(this.headers()).map(([k, v]) => `${k}: ${v}`),
      'Connection: close',
    ];
    this.socket.end(head.join('\r\n') + '\r\n\r\n' + body);
  }

  ok(): void {
    this.taken = true;
    const extra = Object.entries(this.headers()).map(([k, v]) => `${k}: ${v}\r\n`);
    this.socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 0\r\n${extra.join('')}Connection: close\r\n\r\n`);
  }

  take(contentType: string): Duplex {
    this.taken = true;
    const s = this.socket;
    s.setTimeout(0);
    s.setNoDelay(true);
    const extra = Object.entries(this.headers()).map(([k, v]) => `${k}: ${v}\r\n`);
    s.write(
      this.legacy
        ? `HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n${extra.join('')}\r\n`
        : `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${extra.join('')}\r\n`,
    );
    // what the client sends before anyone reads (stdin typed before the container starts) waits in the socket
    s.pause();
    if (this.leftover.length) s.unshift(this.leftover);
    this.leftover = Buffer.alloc(0);
    return s;
  }
}

/**
 * A hijack route asked for without an upgrade on a connection the front did
 * not see first (a plain HTTP client): the output streams as the response
 * body, closed at the end; there is no stdin.
 */
export class ResponseHijacker implements Hijacker {
  readonly interactive = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly onError: (e: unknown) => void,
  ) {}

  async body(limit = MAX_JSON_BODY): Promise<Buffer> {
    const { readBody } = await import('./body.js');
    return readBody(this.req, limit);
  }

  fail(e: unknown): void {
    this.onError(e);
  }

  ok(): void {
    this.res.writeHead(200, { 'Content-Length': '0' });
    this.res.end();
  }

  take(contentType: string): Duplex {
    const res = this.res;
    res.useChunkedEncodingByDefault = false;
    res.shouldKeepAlive = false;
    res.writeHead(200, { 'Content-Type': contentType });
    res.flushHeaders();
    const d = new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        res.write(chunk, cb);
      },
      final(cb) {
        res.end(cb);
      },
    });
    d.push(null);
    res.on('close', () => d.destroy());
    return d;
  }
}
