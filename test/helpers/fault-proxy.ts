/**
 * A proxy in front of a plain-HTTP test registry that misbehaves on plan:
 * for requests whose path matches a rule it drops the connection after N
 * bytes of the body, answers a 5xx, answers 429 with Retry-After, or flips
 * one byte of the body, each as many times as the rule says (once by
 * default), and forwards everything else untouched. It records every request
 * (method, path, Range header, status, body bytes sent, the fault played), so
 * tests can check what happened and whether a client resumed with Range.
 * A stall holds a transfer after N bytes of the body (with 0, the whole
 * answer) until release(), or until the client gives up: what a cancel in
 * the middle of a pull or a push is tested with.
 *
 * Point a client at `proxy.host` as if it were the registry (the Host header
 * is passed on, so upload Locations the registry writes name the proxy). It
 * also works as a forward proxy (HTTP_PROXY: absolute request targets go to
 * the host they name; HTTPS_PROXY: CONNECT is tunnelled and recorded, with no
 * faults inside the tunnel).
 */
import http from 'node:http';
import net from 'node:net';

export type Fault =
  /** send the status, headers and the first `afterBytes` bytes of the body, then reset the connection */
  | { kind: 'drop'; afterBytes: number }
  /** answer `status` (e.g. 500, 503) with a registry-style JSON error instead of forwarding */
  | { kind: 'status'; status: number }
  /** answer 429 TOOMANYREQUESTS with `Retry-After: seconds` instead of forwarding */
  | { kind: 'retry-after'; seconds: number }
  /** flip (xor 0xff) the body byte at `offset` (default: the middle of the body) */
  | { kind: 'corrupt'; offset?: number }
  /** send the first `afterBytes` bytes of the body (0: nothing, not even the status), then hold until release() */
  | { kind: 'stall'; afterBytes: number };

export interface FaultRule {
  /** matched against the request path with its query, e.g. /\/blobs\/sha256:/ */
  path: RegExp | string;
  /** only this method; default GET for drop/corrupt (a body is needed), any method for status/retry-after */
  method?: string;
  fault: Fault;
  /** how many matching requests get the fault (default 1) */
  times?: number;
  /** let this many matching requests through first (default 0) */
  skip?: number;
}

export interface ProxyEvent {
  /** order of arrival, from 1 */
  n: number;
  method: string;
  path: string;
  /** the Range header the client sent, if any */
  range?: string;
  status: number;
  /** body bytes sent to the client */
  bytes: number;
  /** the fault played on this request */
  fault?: Fault['kind'];
  /** for drop: the connection was cut */
  cut?: boolean;
  /** for stall: the client went away while it was held */
  abandoned?: boolean;
  /** CONNECT target, for a tunnel */
  tunnel?: string;
  /** the upstream origin that answered (null when the proxy answered itself) */
  upstream: string | null;
}

export interface FaultProxy {
  /** 127.0.0.1:PORT */
  host: string;
  /** http://127.0.0.1:PORT */
  url: string;
  /** every request so far, in order of completion */
  readonly events: ProxyEvent[];
  /** the requests a fault was played on */
  faulted(): ProxyEvent[];
  /** requests (optionally matching `path`) that came with a Range header */
  rangeRequests(path?: RegExp): ProxyEvent[];
  /** how many requests matched `path` (and `method`) */
  count(path: RegExp, method?: string): number;
  /** rules whose faults have not all been played yet */
  pending(): FaultRule[];
  /** transfers held by a stall right now */
  stalled(): number;
  /** let every held transfer go on */
  release(): void;
  stop(): Promise<void>;
}

const errorBody = (code: string, message: string) => JSON.stringify({ errors: [{ code, message, detail: null }] });

/** `upstream`: the registry, as http://HOST:PORT or HOST:PORT (plain HTTP). */
export async function startFaultProxy(upstream: string, plan: FaultRule[] = []): Promise<FaultProxy> {
  const up = new URL(upstream.includes('://') ? upstream : `http://${upstream}`);
  if (up.protocol !== 'http:') throw new Error(`fault proxy: plain HTTP upstreams only (${upstream})`);
  const events: ProxyEvent[] = [];
  const played = new Map<FaultRule, { seen: number; played: number }>(plan.map((r) => [r, { seen: 0, played: 0 }]));
  let arrivals = 0;
  const sockets = new Set<net.Socket>();
  const held = new Set<() => void>();

  const pick = (method: string, path: string): Fault | undefined => {
    for (const rule of plan) {
      const f = rule.fault;
      const bodyFault = f.kind === 'drop' || f.kind === 'corrupt' || (f.kind === 'stall' && f.afterBytes > 0);
      const method0 = rule.method ?? (bodyFault ? 'GET' : undefined);
      if (method0 && method0 !== method) continue;
      if (typeof rule.path === 'string' ? !path.includes(rule.path) : !rule.path.test(path)) continue;
      const st = played.get(rule)!;
      st.seen++;
      if (st.seen <= (rule.skip ?? 0) || st.played >= (rule.times ?? 1)) continue;
      st.played++;
      return rule.fault;
    }
    return undefined;
  };

  const server = http.createServer((req, res) => {
    const n = ++arrivals;
    const method = req.method ?? 'GET';
    let target = up;
    let path = req.url ?? '/';
    if (/^https?:\/\//.test(path)) {
      // forward-proxy form: the absolute URL names the origin
      const abs = new URL(path);
      target = abs;
      path = abs.pathname + abs.search;
    }
    const ev: ProxyEvent = {
      n,
      method,
      path,
      ...(req.headers.range ? { range: req.headers.range } : {}),
      status: 0,
      bytes: 0,
      upstream: null,
    };
    const done = () => events.push(ev);
    const fault = pick(method, path);
    if (fault) ev.fault = fault.kind;

    if (fault?.kind === 'status' || fault?.kind === 'retry-after') {
      req.resume();
      req.on('end', () => {
        const status = fault.kind === 'status' ? fault.status : 429;
        const body =
          fault.kind === 'status'
            ? errorBody('UNKNOWN', `injected ${status} by the test proxy`)
            : errorBody('TOOMANYREQUESTS', 'injected 429 by the test proxy');
        ev.status = status;
        res.writeHead(status, {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'Docker-Distribution-Api-Version': 'registry/2.0',
          ...(fault.kind === 'retry-after' ? { 'Retry-After': String(fault.seconds) } : {}),
        });
        res.end(body, done);
      });
      return;
    }

    const upReq = http.request(
      {
        host: target.hostname,
        port: target.port || 80,
        method,
        path,
        headers: req.headers,
        agent: false,
      },
      (upRes) => {
        const stallAt = fault?.kind === 'stall' ? fault.afterBytes : -1;
        let holding = false;
        /** Hold the transfer until release() (then `go`), or until the client gives up. */
        const hold = (go: () => void) => {
          holding = true;
          upRes.pause();
          const release = () => {
            held.delete(release);
            res.off('close', gone);
            holding = false;
            go();
          };
          const gone = () => {
            if (!held.delete(release)) return;
            ev.abandoned = true;
            upRes.destroy();
            upReq.destroy();
            done();
          };
          held.add(release);
          res.once('close', gone);
        };
        const forward = () => {
          ev.status = upRes.statusCode ?? 0;
          ev.upstream = target.origin;
          res.writeHead(ev.status, upRes.statusMessage, upRes.rawHeaders);
          const total = Number(upRes.headers['content-length'] ?? NaN);
          const corruptAt =
            fault?.kind === 'corrupt' ? (fault.offset ?? (Number.isFinite(total) ? Math.floor(total / 2) : 0)) : -1;
          let sent = 0;
          let corrupted = false;
          let stalled = false;
          upRes.on('data', (chunk: Buffer) => {
            if (fault?.kind === 'drop' && sent + chunk.length >= fault.afterBytes) {
              const part = chunk.subarray(0, Math.max(0, fault.afterBytes - sent));
              sent += part.length;
              ev.bytes = sent;
              ev.cut = true;
              upRes.destroy();
              upReq.destroy();
              res.write(part, () => {
                res.socket?.destroy();
                done();
              });
              return;
            }
            if (stallAt > 0 && !stalled && sent + chunk.length >= stallAt) {
              stalled = true;
              const part = chunk.subarray(0, stallAt - sent);
              const rest = chunk.subarray(stallAt - sent);
              sent += part.length;
              ev.bytes = sent;
              res.write(part);
              hold(() => {
                sent += rest.length;
                ev.bytes = sent;
                if (rest.length) res.write(rest);
                upRes.resume();
              });
              return;
            }
            if (corruptAt >= sent && corruptAt < sent + chunk.length) {
              chunk = Buffer.from(chunk);
              chunk[corruptAt - sent] ^= 0xff;
              corrupted = true;
            }
            sent += chunk.length;
            ev.bytes = sent;
            if (!res.write(chunk)) {
              upRes.pause();
              res.once('drain', () => holding || upRes.resume());
            }
          });
          upRes.on('end', () => {
            if (ev.cut) return;
            if (fault?.kind === 'corrupt' && !corrupted) ev.fault = undefined; // body too short to corrupt
            res.end(done);
          });
          upRes.resume();
        };
        upRes.on('error', () => undefined);
        if (stallAt === 0) hold(forward);
        else forward();
      },
    );
    upReq.on('error', (e) => {
      if (ev.cut) return;
      ev.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`test proxy: upstream ${target.origin}: ${e.message}`, done);
    });
    req.pipe(upReq);
  });

  server.on('connect', (req, clientSocket: net.Socket, head: Buffer) => {
    const n = ++arrivals;
    const [h, p] = (req.url ?? '').split(':');
    const ev: ProxyEvent = {
      n,
      method: 'CONNECT',
      path: req.url ?? '',
      tunnel: req.url ?? '',
      status: 0,
      bytes: 0,
      upstream: null,
    };
    const upSock = net.connect(Number(p || 443), h!, () => {
      ev.status = 200;
      ev.upstream = `${h}:${p}`;
      events.push(ev); // recorded once open (bytes keep counting while it lasts)
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upSock.write(head);
      upSock.pipe(clientSocket);
      clientSocket.pipe(upSock);
    });
    sockets.add(upSock);
    upSock.on('data', (d: Buffer) => (ev.bytes += d.length));
    const end = () => {
      if (!events.includes(ev)) events.push(ev);
      upSock.destroy();
      clientSocket.destroy();
    };
    upSock.on('error', () => {
      if (!ev.status) {
        ev.status = 502;
        clientSocket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      }
      end();
    });
    upSock.on('close', end);
    clientSocket.on('error', end);
    clientSocket.on('close', end);
  });

  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const matches = (e: ProxyEvent, re?: RegExp) => !re || re.test(e.path);
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    events,
    faulted: () => events.filter((e) => e.fault),
    rangeRequests: (re) => events.filter((e) => e.range && matches(e, re)),
    count: (re, method) => events.filter((e) => matches(e, re) && (!method || e.method === method)).length,
    pending: () => plan.filter((r) => played.get(r)!.played < (r.times ?? 1)),
    stalled: () => held.size,
    release: () => {
      for (const go of [...held]) go();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        held.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
