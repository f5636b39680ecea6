/**
 * `berth system service`: the Docker Engine API over a socket, for as long
 * as somebody uses it. It serves until no connection has been open for
 * `idleSeconds` (0: forever), then exits; work a client left behind that
 * must finish here (removing an --rm container it started) holds it open.
 */
import type { Socket } from 'node:net';
import type { Backend } from '../client/api.js';
import { createApiServer } from './dispatch.js';
import { frontConnection } from './legacy-hijack.js';
import { listen, type Endpoint, type TlsFiles } from './listen.js';
import { Router } from './router.js';
import { allRoutes } from './routes/index.js';
import { ServiceState } from './state.js';

export interface ServiceOptions {
  backend: Backend;
  endpoint: Endpoint | null;
  /** A socket passed by systemd (LISTEN_FDS), used instead of endpoint. */
  fd: number | null;
  tls: TlsFiles | null;
  insecure: boolean;
  group: string | null;
  /** Exit after this many seconds without a connection; 0 never. */
  idleSeconds: number;
  log(line: string): void;
  /** Log every request (--debug). */
  debug?: boolean;
}

export interface RunningService {
  address: string;
  /** Resolves when the service has stopped (idle, or stop()). */
  done: Promise<void>;
  stop(): void;
  /** Open connections right now. */
  connections(): number;
}

export async function startService(o: ServiceOptions): Promise<RunningService> {
  const state = new ServiceState();
  const legacy = new WeakSet<Socket>();
  const open = new Set<Socket>();
  const http = createApiServer({
    router: new Router(allRoutes()),
    backend: o.backend,
    state,
    isLegacy: (s) => legacy.has(s),
    log: o.log,
    debug: o.debug ? o.log : undefined,
  });

  let idleTimer: NodeJS.Timeout | null = null;
  let stopping = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const armIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (stopping || o.idleSeconds <= 0 || open.size > 0 || state.busy) return;
    idleTimer = setTimeout(() => stop(), o.idleSeconds * 1000);
  };

  const onSocket = (s: Socket) => {
    if (stopping) {
      s.destroy();
      return;
    }
    open.add(s);
    armIdle();
    s.on('error', () => s.destroy());
    s.once('close', () => {
      open.delete(s);
      armIdle();
    });
    frontConnection(
      s,
      (sock) => legacy.add(sock),
      (sock, first) => {
        http.emit('connection', sock);
        // the http server reads through its own parser; the bytes the front read go to it first
        if (first.length) sock.emit('data', first);
        sock.resume();
      },
    );
  };

  const listener = await listen({
    endpoint: o.endpoint,
    fd: o.fd,
    tls: o.tls,
    insecure: o.insecure,
    group: o.group,
    onSocket,
  });
  state.onBusyChange(() => armIdle());

  function stop(): void {
    if (stopping) return;
    stopping = true;
    if (idleTimer) clearTimeout(idleTimer);
    listener.server.close();
    listener.cleanup();
    for (const s of open) s.destroy();
    http.close();
    resolveDone();
  }

  armIdle();
  return { address: listener.address, done, stop, connections: () => open.size };
}
