/**
 * The HTTP side of the service: Node's http server, fed connections by the
 * listener (service.ts), with limits against abusive clients (header size
 * and count, a deadline for the request head, an idle limit on bodies) and
 * one dispatch for plain requests and hijacking upgrades alike: version
 * prefix, route, handler, errors as dockerd writes them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Backend } from '../client/api.js';
import { commonHeaders } from './about.js';
import { DEADLINES } from './deadlines.js';
import { errorBody, httpErrorOf, HttpError } from './errors.js';
import { ResponseHijacker, SocketHijacker, type Hijacker } from './hijack.js';
import type { Ctx, Route, Router } from './router.js';
import type { ServiceState } from './state.js';
import { MAX_API_VERSION, splitVersion, versionProblem } from './version.js';

/** Limits of the HTTP layer. */
export const LIMITS = {
  /** Bytes of request line and headers (Node answers 431 past it). */
  maxHeaderSize: 16 * 1024,
  /** Headers per request. */
  maxHeadersCount: 200,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
};

export interface DispatchDeps {
  router: Router;
  backend: Backend;
  state: ServiceState;
  /** Sockets whose first request was an old client's hijack without an upgrade header. */
  isLegacy(socket: Socket): boolean;
  log(line: string): void;
  /** One line per request (method, path, status, time), when set. */
  debug?: ((line: string) => void) | undefined;
}

function sendError(res: ServerResponse, e: unknown, log: (l: string) => void): void {
  const { status, message, close } = httpErrorOf(e);
  if (status >= 500 && status !== 501) log(`error: ${message}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(message);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    // the rest of the body is not read: the connection cannot carry another request
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(body);
}

interface Parsed {
  route: Route;
  ctx: Ctx;
}

function parse(deps: DispatchDeps, req: IncomingMessage, signal: AbortSignal): Parsed {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://berth');
  } catch {
    throw new HttpError(400, 'malformed request URL');
  }
  const [v, path] = splitVersion(url.pathname);
  const version = v ?? MAX_API_VERSION;
  if (v) {
    const problem = versionProblem(v);
    if (problem) throw new HttpError(400, problem);
  }
  const m = deps.router.match(req.method ?? 'GET', path);
  if (!m.route) throw new HttpError(404, 'page not found');
  const params: Record<string, string> = {};
  for (const [k, raw] of Object.entries(m.params)) {
    try {
      params[k] = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, `malformed path parameter ${k}`);
    }
  }
  return {
    route: m.route,
    ctx: { req, params, query: url.searchParams, version, backend: deps.backend, state: deps.state, signal },
  };
}

export function createApiServer(deps: DispatchDeps): Server {
  const server = createServer({
    maxHeaderSize: LIMITS.maxHeaderSize,
    headersTimeout: DEADLINES.headMs,
    // bodies may be large (image load, archive PUT): no deadline for the whole request, an idle limit instead (body.ts)
    requestTimeout: 0,
    keepAliveTimeout: LIMITS.keepAliveTimeoutMs,
    connectionsCheckingInterval: 1000,
  });
  server.maxHeadersCount = LIMITS.maxHeadersCount;
  // responses that stream (events, logs -f, stats) may be quiet for long: no socket inactivity limit
  server.timeout = 0;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(commonHeaders())) res.setHeader(k, v);
    if (deps.debug) {
      const t0 = performance.now();
      res.on('close', () =>
        deps.debug!(`${req.method} ${req.url} ${res.statusCode} ${(performance.now() - t0).toFixed(1)}ms`),
      );
    }
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    let parsed: Parsed;
    try {
      parsed = parse(deps, req, ac.signal);
    } catch (e) {
      req.resume();
      return sendError(res, e, deps.log);
    }
    const { route, ctx } = parsed;
    const run = route.handler
      ? route.handler(ctx, res)
      : route.hijack!(ctx, new ResponseHijacker(req, res, (e) => sendError(res, e, deps.log)));
    run.then(
      () => {
        if (!res.writableEnded && !res.headersSent) res.end();
      },
      (e) => sendError(res, e, deps.log),
    );
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    deps.debug?.(`${req.method} ${req.url} (hijack${deps.isLegacy(socket) ? ', no upgrade header' : ''})`);
    const ac = new AbortController();
    socket.on('close', () => ac.abort());
    socket.on('error', () => socket.destroy());
    const h: Hijacker = new SocketHijacker(req, socket, head, deps.isLegacy(socket), commonHeaders);
    let parsed: Parsed;
    try {
      parsed = parse(deps, req, ac.signal);
      if (!parsed.route.hijack) throw new HttpError(400, 'this endpoint does not take a connection upgrade');
    } catch (e) {
      return h.fail(e);
    }
    parsed.route.hijack(parsed.ctx, h).catch((e) => {
      const { status, message } = httpErrorOf(e);
      if (status >= 500 && status !== 501) deps.log(`error: ${message}`);
      h.fail(e);
    });
  });

  return server;
}
