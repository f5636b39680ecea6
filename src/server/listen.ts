/**
 * Where the service listens: a unix socket (created 0660 root:<group>, or
 * 0600 without a group), TCP with TLS and client verification, plain TCP
 * only when asked for with --insecure, or the socket systemd passed
 * (LISTEN_FDS / LISTEN_PID).
 */
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { BerthError } from '../client/api.js';

export type Endpoint = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** `unix:///path` or `tcp://host:port` (docker's -H forms). */
export function parseEndpoint(uri: string): Endpoint {
  if (uri.startsWith('unix://')) {
    const path = uri.slice('unix://'.length);
    if (!path.startsWith('/'))
      throw new BerthError('INVALID_ARGUMENT', `invalid unix socket address ${uri}: the path must be absolute`);
    if (Buffer.byteLength(path) > 107)
      throw new BerthError('INVALID_ARGUMENT', `invalid unix socket address ${uri}: the path is longer than 107 bytes`);
    return { kind: 'unix', path };
  }
  if (uri.startsWith('tcp://')) {
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      throw new BerthError('INVALID_ARGUMENT', `invalid tcp address ${uri}`);
    }
    if (!u.port || (u.pathname && u.pathname !== '/'))
      throw new BerthError('INVALID_ARGUMENT', `invalid tcp address ${uri}: expected tcp://HOST:PORT`);
    return { kind: 'tcp', host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) };
  }
  throw new BerthError('INVALID_ARGUMENT', `invalid address ${uri}: expected unix:///PATH or tcp://HOST:PORT`);
}

/** The gid of a group in /etc/group. */
export function groupId(name: string, groupFile = '/etc/group'): number {
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of readFileSync(groupFile, 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined) return Number(f[2]);
  }
  throw new BerthError('NOT_FOUND', `group ${name} (service.group in berth's config) does not exist`);
}

/** The first socket systemd passed this process, if any (and the variables are then cleared for children). */
export function systemdSocketFd(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | null {
  const fds = Number(env.LISTEN_FDS ?? 0);
  const forPid = Number(env.LISTEN_PID ?? 0);
  if (!fds || forPid !== pid) return null;
  delete env.LISTEN_FDS;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDNAMES;
  return 3;
}

/** Refuse to take over a socket path another service still answers on; remove a stale one. */
async function clearStaleSocket(path: string): Promise<void> {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new BerthError('CONFLICT', `${path} exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (live) throw new BerthError('CONFLICT', `another service is listening on ${path}`);
  unlinkSync(path);
}

function listening(server: Server, arg: Parameters<Server['listen']>[0]): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(arg, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export interface ListenOptions {
  endpoint: Endpoint | null;
  /** The fd systemd passed (takes precedence over endpoint). */
  fd: number | null;
  tls: TlsFiles | null;
  insecure: boolean;
  /** The group that may use the unix socket; null: root only. */
  group: string | null;
  onSocket(s: Socket): void;
}

export interface Listener {
  server: Server;
  /** What the service listens on, for the log line. */
  address: string;
  /** Remove what the listener created (the socket file). */
  cleanup(): void;
}

export async function listen(o: ListenOptions): Promise<Listener> {
  const tcpServer = (): Server =>
    o.tls
      ? createTlsServer(
          {
            ca: readFileSync(o.tls.ca),
            cert: readFileSync(o.tls.cert),
            key: readFileSync(o.tls.key),
            allowHalfOpen: true,
            requestCert: true,
            rejectUnauthorized: true,
            minVersion: 'TLSv1.2',
          },
          o.onSocket,
        ).on('tlsClientError', () => undefined)
      : createServer({ allowHalfOpen: true }, o.onSocket);
  if (o.fd !== null) {
    // unix or TCP: which one shows after listening
    const plain = createServer({ allowHalfOpen: true }, o.onSocket);
    await listening(plain, { fd: o.fd });
    const addr = plain.address();
    if (addr && typeof addr === 'object') {
      if (o.tls || !o.insecure) {
        plain.close();
        if (!o.tls)
          throw new BerthError(
            'INVALID_ARGUMENT',
            'the socket systemd passed is TCP: use TLS (--tlsverify) or --insecure',
          );
        const secure = tcpServer();
        await listening(secure, { fd: o.fd });
        return {
          server: secure,
          address: `fd ${o.fd} (tcp ${addr.address}:${addr.port}, TLS)`,
          cleanup: () => undefined,
        };
      }
      return { server: plain, address: `fd ${o.fd} (tcp ${addr.address}:${addr.port})`, cleanup: () => undefined };
    }
    return { server: plain, address: `fd ${o.fd} (${addr ?? 'unix'})`, cleanup: () => undefined };
  }
  const ep = o.endpoint!;
  if (ep.kind === 'tcp') {
    if (!o.tls && !o.insecure)
      throw new BerthError(
        'INVALID_ARGUMENT',
        'tcp:// needs TLS with client verification (--tlsverify --tlscacert --tlscert --tlskey), or --insecure',
      );
    const server = tcpServer();
    await listening(server, { host: ep.host, port: ep.port });
    const a = server.address();
    const port = a && typeof a === 'object' ? a.port : ep.port;
    return {
      server,
      address: `tcp://${ep.host}:${port}${o.tls ? ' (TLS, client certificates required)' : ''}`,
      cleanup: () => undefined,
    };
  }
  const gid = o.group ? groupId(o.group) : null;
  mkdirSync(dirname(ep.path), { recursive: true, mode: 0o711 });
  await clearStaleSocket(ep.path);
  const server = createServer({ allowHalfOpen: true }, o.onSocket);
  // created with no access for others, then opened to the group: never world-accessible, not for an instant
  const old = process.umask(0o177);
  try {
    await listening(server, ep.path);
  } finally {
    process.umask(old);
  }
  const uid = process.getuid?.() ?? 0;
  chownSync(ep.path, uid, gid ?? process.getgid?.() ?? 0);
  chmodSync(ep.path, gid !== null ? 0o660 : 0o600);
  return {
    server,
    address: `unix://${ep.path}`,
    cleanup: () => {
      try {
        unlinkSync(ep.path);
      } catch {
        /* gone already */
      }
    },
  };
}
