/**
 * Which engine a command or the app talks to, decided as the docker CLI
 * decides it: `--host`/`-H` or `--context` (not both), else DOCKER_HOST,
 * else DOCKER_CONTEXT, else the docker config's currentContext. berth's
 * "default" context is its embedded engine (the docker CLI's is the local
 * dockerd), so with none of these berth runs as before.
 *
 * The parsing is pure; reading the environment and the context store is
 * left to the callers (resolve takes them as arguments).
 */
import { BerthError } from '../errors.js';

export interface TlsFiles {
  /** PEM contents (not paths). */
  ca?: string;
  cert?: string;
  key?: string;
  /** Verify the server's certificate (DOCKER_TLS_VERIFY; a context's SkipTLSVerify false). */
  verify: boolean;
}

export type Endpoint =
  | { kind: 'unix'; path: string; url: string }
  | { kind: 'tcp'; host: string; port: number; tls: TlsFiles | null; url: string }
  | { kind: 'ssh'; user: string; host: string; port: number | null; url: string };

/** docker's ports for tcp:// without one: 2376 with TLS, 2375 without. */
const defaultPort = (tls: boolean) => (tls ? 2376 : 2375);

/**
 * unix:///path, tcp://HOST[:PORT], ssh://[USER@]HOST[:PORT], and docker's
 * shorthands (a bare HOST:PORT or :PORT is tcp; a bare path is unix).
 */
export function parseHost(spec: string, tls: TlsFiles | null = null): Endpoint {
  const s = spec.trim();
  const bad = (why: string) => new BerthError('INVALID_ARGUMENT', `invalid host "${spec}": ${why}`);
  if (!s) throw bad('empty');
  if (s.startsWith('/')) return { kind: 'unix', path: s, url: `unix://${s}` };
  if (s.startsWith('unix://')) {
    const path = s.slice('unix://'.length);
    if (!path.startsWith('/')) throw bad('a unix socket needs an absolute path');
    return { kind: 'unix', path, url: s };
  }
  const m = /^(?:(tcp|ssh|http|https):\/\/)?(?:([^@/]+)@)?(\[[0-9a-fA-F:.]+\]|[^:/]*)(?::(\d+))?\/?$/.exec(s);
  if (!m) throw bad('use unix:///path, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT]');
  const [, scheme = 'tcp', user, rawHost = '', rawPort] = m;
  const host = rawHost.replace(/^\[(.*)\]$/, '$1') || (scheme === 'ssh' ? '' : '127.0.0.1');
  if (!host) throw bad('no host name');
  const port = rawPort === undefined ? null : Number(rawPort);
  if (port !== null && (!Number.isInteger(port) || port < 1 || port > 65535)) throw bad('bad port');
  if (scheme === 'ssh') {
    const u = user ?? '';
    if (u.startsWith('-') || host.startsWith('-')) throw bad('a user or host name cannot start with "-"');
    return { kind: 'ssh', user: u, host, port, url: s };
  }
  if (user !== undefined) throw bad('a user name is only for ssh://');
  const useTls = scheme === 'https' ? (tls ?? { verify: true }) : tls;
  const p = port ?? defaultPort(!!useTls);
  return { kind: 'tcp', host, port: p, tls: useTls, url: `tcp://${rawHost}:${p}` };
}

/** A context as the store keeps it (see contexts.ts). */
export interface ContextEndpoint {
  name: string;
  host: string;
  tls: TlsFiles | null;
}

export interface HostChoice {
  /** -H/--host (docker allows only one). */
  host?: string;
  /** --context. */
  context?: string;
}

export interface ResolveEnv {
  DOCKER_HOST?: string;
  DOCKER_CONTEXT?: string;
  /** TLS from DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, read by the caller when set. */
  tls: () => TlsFiles | null;
  /** The docker config's currentContext ('' when none). */
  currentContext: () => string;
  /** A context from the store; NOT_FOUND when there is none of that name. */
  context: (name: string) => ContextEndpoint;
}

/** What to talk to: null for the embedded engine, else the endpoint and the context it came from. */
export function resolveEndpoint(choice: HostChoice, env: ResolveEnv): { endpoint: Endpoint; context: string } | null {
  if (choice.host && choice.context)
    throw new BerthError('INVALID_ARGUMENT', 'conflicting options: either specify --host or --context, not both');
  if (choice.host) return { endpoint: parseHost(choice.host, env.tls()), context: '' };
  let name = choice.context;
  if (!name && env.DOCKER_HOST) return { endpoint: parseHost(env.DOCKER_HOST, env.tls()), context: '' };
  name ||= env.DOCKER_CONTEXT || env.currentContext();
  if (!name || name === 'default') return null;
  const c = env.context(name);
  return { endpoint: parseHost(c.host, c.tls), context: c.name };
}
