/**
 * A private distribution registry (Debian's docker-registry 2.8, the binary
 * scripts/peers.sh installs) per test file, on a free loopback port with its
 * own temporary storage, in each setup issue 14 names: plain HTTP, HTTPS with
 * a throwaway CA laid out as certs.d, htpasswd Basic auth, and `auth: token`
 * with the bearer-token server in ./token-server.ts.
 *
 * Basic auth: distribution 2.8 does not insist on TLS (it accepts Basic over
 * plain HTTP too), but docker users run it behind TLS, so tests should ask for
 * { tls: true, auth: 'basic' }.
 *
 * The process runs under `setpriv --pdeathsig KILL`, so it dies with the test
 * worker even when the worker is killed; stop() and the worker's exit remove
 * the process and its directory.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCerts, writeCertsD } from './registry-certs.js';
import { startTokenServer, type TokenServer, type TokenRequestRecord } from './token-server.js';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface RegistryOptions {
  tls?: boolean;
  auth?: 'none' | 'basic' | 'token';
  /** Credentials for basic and token auth (defaults: berth-tester / a random password). */
  user?: string;
  password?: string;
  /** token auth: anonymous token requests get pull access (default false: no access). */
  anonymousPull?: boolean;
  /** token auth: expires_in of each token in seconds (default 300). */
  tokenTtlSeconds?: number;
  /** token auth: name the signing key by libtrust `kid` (default) or carry it as `x5c`. */
  tokenKeyHeader?: 'kid' | 'x5c';
}

export interface TestRegistry {
  /** 127.0.0.1:PORT */
  host: string;
  /** scheme://host */
  url: string;
  scheme: 'http' | 'https';
  /** https: a certs.d-style directory, `<certsDir>/<host>/ca.crt` (also for localhost:PORT). */
  certsDir?: string;
  /** https: the CA certificate (PEM) that signed the registry's and the token server's certificates. */
  caFile?: string;
  user?: string;
  password?: string;
  /**
   * basic/token: a docker config directory whose config.json holds the
   * credentials for `host` (DOCKER_CONFIG=…, docker --config …); authFile is
   * that config.json (skopeo/podman --authfile).
   */
  dockerConfig?: string;
  authFile?: string;
  tokenServer?: { url: string; readonly requests: number; readonly log: TokenRequestRecord[] };
  /** The temporary directory holding storage, config, certificates and the log. */
  dataDir: string;
  /** The registry's own log, including its access log (one line per request). */
  logFile: string;
  /** Requests the registry has answered so far, from its access log. */
  accessLog(): AccessLogEntry[];
  stop(): Promise<void>;
}

export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
}

const live = new Set<() => void>();
let exitHooked = false;
function onExit(fn: () => void): () => void {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => {
      for (const f of live) f();
    });
  }
  live.add(fn);
  return () => live.delete(fn);
}

/** A port the kernel just gave out on 127.0.0.1 (closed again, so a race is possible: startRegistry retries). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** GET url, resolving with the status (any status), or rejecting on a connection error. */
export function probe(url: string, ca?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { ...(ca ? { ca } : {}), timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** The registry's configuration, written as JSON (which YAML reads as it is). */
function registryConfig(o: {
  port: number;
  storage: string;
  tls?: { cert: string; key: string };
  auth: Record<string, unknown> | null;
}): string {
  const cfg = {
    version: '0.1',
    log: { level: 'info', formatter: 'text' },
    storage: {
      filesystem: { rootdirectory: o.storage },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: {
      addr: `127.0.0.1:${o.port}`,
      secret: 'berth-test-secret',
      ...(o.tls ? { tls: { certificate: o.tls.cert, key: o.tls.key } } : {}),
    },
    ...(o.auth ? { auth: o.auth } : {}),
  };
  return JSON.stringify(cfg, null, 2) + '\n';
}

function htpasswdLine(user: string, password: string): string {
  return execFileSync('htpasswd', ['-niB', user], { input: password + '\n', encoding: 'utf8' }).trim();
}

/** Parse the access log lines distribution writes (Apache combined format). */
export function parseAccessLog(text: string): AccessLogEntry[] {
  const out: AccessLogEntry[] = [];
  for (const m of text.matchAll(/"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /g))
    out.push({ method: m[1]!, path: m[2]!, status: Number(m[3]) });
  return out;
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const auth = opts.auth ?? 'none';
  const scheme = opts.tls ? 'https' : 'http';
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const storage = join(dataDir, 'storage');
  mkdirSync(storage);
  let tokenServer: TokenServer | undefined;
  let child: ChildProcess | undefined;
  const cleanup = () => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  const forget = onExit(cleanup);
  try {
    const certs = opts.tls || auth === 'token' ? makeCerts(join(dataDir, 'certs')) : undefined;
    const user = auth === 'none' ? undefined : (opts.user ?? 'berth-tester');
    const password = auth === 'none' ? undefined : (opts.password ?? `pw-${Math.random().toString(36).slice(2)}`);
    let authBlock: Record<string, unknown> | null = null;
    if (auth === 'basic') {
      const file = join(dataDir, 'htpasswd');
      writeFileSync(file, htpasswdLine(user!, password!) + '\n');
      authBlock = { htpasswd: { realm: 'berth-test-registry', path: file } };
    } else if (auth === 'token') {
      tokenServer = await startTokenServer({
        issuer: 'berth-test-token-issuer',
        service: 'berth-test-registry',
        signingKey: certs!.tokenKey,
        signingCert: certs!.tokenCert,
        ...(opts.tls ? { tls: { cert: certs!.serverCert, key: certs!.serverKey } } : {}),
        users: { [user!]: password! },
        anonymousPull: opts.anonymousPull ?? false,
        ttlSeconds: opts.tokenTtlSeconds ?? 300,
        keyHeader: opts.tokenKeyHeader ?? 'kid',
      });
      authBlock = {
        token: {
          realm: tokenServer.url,
          service: 'berth-test-registry',
          issuer: 'berth-test-token-issuer',
          rootcertbundle: certs!.tokenCert,
        },
      };
    }
    const ca = opts.tls ? readFileSync(certs!.caFile, 'utf8') : undefined;
    const logFile = join(dataDir, 'registry.log');

    let port = 0;
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      const cfg = join(dataDir, 'config.yml');
      writeFileSync(
        cfg,
        registryConfig({
          port,
          storage,
          ...(opts.tls ? { tls: { cert: certs!.serverCert, key: certs!.serverKey } } : {}),
          auth: authBlock,
        }),
      );
      const fd = openSync(logFile, 'a');
      const proc = spawn('setpriv', ['--pdeathsig', 'KILL', '--', REGISTRY_BIN, 'serve', cfg], {
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      child = proc;
      let exited = false;
      proc.once('exit', () => (exited = true));
      const url = `${scheme}://127.0.0.1:${port}/v2/`;
      let up = false;
      for (let i = 0; i < 100 && !exited && !up; i++) {
        up = await probe(url, ca).then(
          () => true,
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      if (up) break;
      proc.kill('SIGKILL');
      const log = readFileSync(logFile, 'utf8');
      if (attempt < 3 && /address already in use/.test(log)) continue;
      throw new Error(
        `docker-registry did not start on 127.0.0.1:${port}: ${log.trim().split('\n').slice(-3).join(' | ')}`,
      );
    }

    const host = `127.0.0.1:${port}`;
    let certsDir: string | undefined;
    if (certs && opts.tls) {
      certsDir = join(dataDir, 'certs.d');
      writeCertsD(certsDir, certs.caFile, [host, `localhost:${port}`]);
    }
    let dockerConfig: string | undefined;
    let authFile: string | undefined;
    if (user) {
      dockerConfig = join(dataDir, 'docker-config');
      mkdirSync(dockerConfig, { mode: 0o700 });
      authFile = join(dockerConfig, 'config.json');
      const entry = { auth: Buffer.from(`${user}:${password}`).toString('base64') };
      writeFileSync(authFile, JSON.stringify({ auths: { [host]: entry, [`localhost:${port}`]: entry } }, null, 2), {
        mode: 0o600,
      });
    }
    const ts = tokenServer;
    const proc = child!;
    let stopped = false;
    return {
      host,
      url: `${scheme}://${host}`,
      scheme,
      ...(certsDir ? { certsDir, caFile: join(certsDir, host, 'ca.crt') } : {}),
      ...(user ? { user, password: password!, dockerConfig: dockerConfig!, authFile: authFile! } : {}),
      ...(ts
        ? {
            tokenServer: {
              url: ts.url,
              get requests() {
                return ts.requests;
              },
              log: ts.log,
            },
          }
        : {}),
      dataDir,
      logFile,
      accessLog: () => parseAccessLog(readFileSync(logFile, 'utf8')),
      async stop() {
        if (stopped) return;
        stopped = true;
        forget();
        if (proc.exitCode === null && proc.signalCode === null) {
          const gone = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
          await gone;
          clearTimeout(t);
        }
        await ts?.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    forget();
    cleanup();
    await tokenServer?.stop();
    throw e;
  }
}

/**
 * The environment that points berth at `reg`: its CA through BERTH_CERTS_D
 * (berth's certs.d directories, replacing /etc/docker/certs.d and
 * /etc/containers/certs.d) and its credentials through DOCKER_CONFIG.
 */
export function berthRegistryEnv(reg: TestRegistry): Record<string, string> {
  return {
    ...(reg.certsDir ? { BERTH_CERTS_D: reg.certsDir } : {}),
    ...(reg.dockerConfig ? { DOCKER_CONFIG: reg.dockerConfig } : {}),
  };
}
