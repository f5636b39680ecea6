/**
 * The docker CLI's context store, read as it lays it out: $DOCKER_CONFIG (or
 * ~/.docker)/config.json names the currentContext; each context's
 * metadata is contexts/meta/<sha256 of its name>/meta.json (its docker
 * endpoint's Host and SkipTLSVerify) and its TLS material, when it has
 * some, contexts/tls/<same>/docker/{ca,cert,key}.pem. Also TLS from
 * DOCKER_TLS_VERIFY/DOCKER_TLS and DOCKER_CERT_PATH, and the environment
 * resolveEndpoint needs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import type { ContextEndpoint, ResolveEnv, TlsFiles } from './endpoint.js';

export const dockerConfigDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.DOCKER_CONFIG || join(homedir(), '.docker');

const contextDir = (name: string) => createHash('sha256').update(name).digest('hex');

const readIf = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BerthError('INVALID_ARGUMENT', `${path}: ${(e as Error).message}`);
  }
}

export function currentContext(dir = dockerConfigDir()): string {
  const cfg = readJson(join(dir, 'config.json')) as { currentContext?: unknown } | undefined;
  return typeof cfg?.currentContext === 'string' ? cfg.currentContext : '';
}

interface Meta {
  Name?: string;
  Metadata?: { Description?: string };
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

function fromMeta(dir: string, hash: string, meta: Meta): (ContextEndpoint & { description: string }) | null {
  const docker = meta.Endpoints?.docker;
  if (!meta.Name || !docker?.Host) return null;
  const tlsDir = join(dir, 'contexts', 'tls', hash, 'docker');
  const ca = readIf(join(tlsDir, 'ca.pem'));
  const cert = readIf(join(tlsDir, 'cert.pem'));
  const key = readIf(join(tlsDir, 'key.pem'));
  const tls: TlsFiles | null =
    ca || cert || key
      ? { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), verify: !docker.SkipTLSVerify }
      : null;
  return { name: meta.Name, host: docker.Host, tls, description: meta.Metadata?.Description ?? '' };
}

/** One context by name (NOT_FOUND as docker words it). */
export function readContext(name: string, dir = dockerConfigDir()): ContextEndpoint {
  const hash = contextDir(name);
  const meta = readJson(join(dir, 'contexts', 'meta', hash, 'meta.json')) as Meta | undefined;
  const c = meta ? fromMeta(dir, hash, meta) : null;
  if (!c) throw new BerthError('NOT_FOUND', `context "${name}": context not found`);
  return c;
}

/** Every context in the store with a docker endpoint, by name. */
export function listContexts(dir = dockerConfigDir()): (ContextEndpoint & { description: string })[] {
  const metaDir = join(dir, 'contexts', 'meta');
  if (!existsSync(metaDir)) return [];
  const out: (ContextEndpoint & { description: string })[] = [];
  for (const hash of readdirSync(metaDir)) {
    try {
      const c = fromMeta(dir, hash, readJson(join(metaDir, hash, 'meta.json')) as Meta);
      if (c) out.push(c);
    } catch {
      // a broken context is left out of the list (using it by name reports why)
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** TLS as the docker CLI takes it from the environment, or null without DOCKER_TLS_VERIFY/DOCKER_TLS. */
export function envTls(env: NodeJS.ProcessEnv = process.env): TlsFiles | null {
  const verify = !!env.DOCKER_TLS_VERIFY;
  if (!verify && !env.DOCKER_TLS) return null;
  const dir = env.DOCKER_CERT_PATH || dockerConfigDir(env);
  const read = (f: string) => {
    const p = join(dir, f);
    try {
      return readFileSync(p, 'utf8');
    } catch (e) {
      throw new BerthError('INVALID_ARGUMENT', `could not read TLS material ${p}: ${(e as Error).message}`);
    }
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), verify };
}

/** What resolveEndpoint reads, from this process's environment and the user's docker config. */
export function processEnv(env: NodeJS.ProcessEnv = process.env): ResolveEnv {
  const dir = dockerConfigDir(env);
  return {
    ...(env.DOCKER_HOST ? { DOCKER_HOST: env.DOCKER_HOST } : {}),
    ...(env.DOCKER_CONTEXT ? { DOCKER_CONTEXT: env.DOCKER_CONTEXT } : {}),
    tls: () => envTls(env),
    currentContext: () => currentContext(dir),
    context: (name) => readContext(name, dir),
  };
}
