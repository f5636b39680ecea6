/**
 * Registry credentials where docker and podman keep them: docker's config
 * file (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`: `auths`
 * with base64 "user:password", `credsStore` and `credHelpers` naming
 * docker-credential-* helpers) and podman's `${XDG_RUNTIME_DIR}/containers/auth.json`
 * (read only). Secrets travel to helpers on stdin, never in argv, and
 * never appear in messages.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BerthError } from '../errors.js';
import { DEFAULT_DOMAIN } from '../reference/reference.js';
import { helperErase, helperGet, helperStore } from './cred-helper.js';

export interface Credentials {
  username: string;
  /** A password, or with username "<token>" an identity token. */
  secret: string;
}

/** The key docker uses for Docker Hub in its config file. */
export const HUB_KEY = 'https://index.docker.io/v1/';

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

export function podmanAuthPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  const run = env.XDG_RUNTIME_DIR || `/run/containers/${process.getuid?.() ?? 0}`;
  return env.XDG_RUNTIME_DIR ? join(run, 'containers', 'auth.json') : join(run, 'auth.json');
}

/** The config-file key of a registry: docker.io is Hub's v1 URL, others their host[:port]. */
export function serverKey(registry: string): string {
  return registry === DEFAULT_DOMAIN || registry === 'index.docker.io' || registry === 'registry-1.docker.io'
    ? HUB_KEY
    : registry;
}

function readJson(path: string): DockerConfigFile | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch (e) {
    throw new BerthError('INVALID_ARGUMENT', `${path}: not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** The host a config key names ("https://index.docker.io/v1/" -> index.docker.io). */
function keyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

function entryFor(auths: Record<string, AuthEntry> | undefined, key: string): AuthEntry | null {
  if (!auths) return null;
  if (auths[key]) return auths[key]!;
  const host = keyHost(key);
  for (const [k, v] of Object.entries(auths)) if (keyHost(k) === host) return v;
  return null;
}

function decode(entry: AuthEntry, where: string): Credentials | null {
  if (entry.identitytoken) return { username: '<token>', secret: entry.identitytoken };
  if (entry.auth) {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i < 0) throw new BerthError('INVALID_ARGUMENT', `${where}: invalid auth configuration file`);
    return { username: text.slice(0, i), secret: text.slice(i + 1) };
  }
  if (entry.username && entry.password) return { username: entry.username, secret: entry.password };
  return null;
}

export class CredentialStore {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  get configPath(): string {
    return dockerConfigPath(this.env);
  }

  private helperFor(cfg: DockerConfigFile | null, key: string): string | null {
    const host = keyHost(key);
    return cfg?.credHelpers?.[host] ?? cfg?.credHelpers?.[key] ?? cfg?.credsStore ?? null;
  }

  /** Credentials for a registry (host[:port], docker.io for Hub), or null for anonymous access. */
  async get(registry: string): Promise<Credentials | null> {
    const key = serverKey(registry);
    const path = this.configPath;
    const cfg = readJson(path);
    const helper = this.helperFor(cfg, key);
    if (helper) {
      const c = await helperGet(helper, key);
      if (c) return c;
    } else {
      const e = entryFor(cfg?.auths, key);
      const c = e ? decode(e, path) : null;
      if (c) return c;
    }
    const podman = podmanAuthPath(this.env);
    const p = entryFor(readJson(podman)?.auths, registry === DEFAULT_DOMAIN ? 'docker.io' : registry);
    return p ? decode(p, podman) : null;
  }

  /** Save credentials (a helper when one is configured, else the file, base64 as docker writes it). Returns where. */
  async store(registry: string, c: Credentials): Promise<{ helper: string | null; path: string }> {
    const key = serverKey(registry);
    const path = this.configPath;
    const cfg = readJson(path) ?? {};
    const helper = this.helperFor(cfg, key);
    if (helper) {
      await helperStore(helper, key, c);
      // docker keeps an empty entry so `auths` lists where the user is logged in
      cfg.auths = { ...(cfg.auths ?? {}), [key]: {} };
    } else {
      cfg.auths = {
        ...(cfg.auths ?? {}),
        [key]: { auth: Buffer.from(`${c.username}:${c.secret}`).toString('base64') },
      };
    }
    writeConfig(path, cfg);
    return { helper, path };
  }

  /** Forget a registry's credentials; false when there were none. */
  async erase(registry: string): Promise<boolean> {
    const key = serverKey(registry);
    const path = this.configPath;
    const cfg = readJson(path);
    if (!cfg) return false;
    const helper = this.helperFor(cfg, key);
    let found = false;
    if (helper) found = await helperErase(helper, key);
    const auths = cfg.auths ?? {};
    for (const k of Object.keys(auths)) {
      if (k === key || keyHost(k) === keyHost(key)) {
        delete auths[k];
        found = true;
      }
    }
    if (found) writeConfig(path, { ...cfg, auths });
    return found;
  }
}

/** Write the config file atomically with mode 0600 (its directory 0700 when made). */
export function writeConfig(path: string, cfg: DockerConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    const data = Buffer.from(JSON.stringify(cfg, null, '\t') + '\n');
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
