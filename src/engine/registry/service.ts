/**
 * The registry side of one engine: settings, connection pools, credentials
 * and tokens, shared by every pull, push, login and search it runs (tokens
 * and learned challenges are reused across operations, as docker's daemon
 * reuses them).
 */
import { DEFAULT_DOMAIN } from '../reference/reference.js';
import { TokenCache } from './auth.js';
import { RegistryHost, type RegistryContext } from './client.js';
import { CredentialStore, type Credentials } from './credentials.js';
import { Transport } from './http.js';
import { loadSettings, type RegistrySettings } from './settings.js';
import type { RegistryCredentials } from '../types.js';

export class RegistryService {
  readonly ctx: RegistryContext;
  private readonly hosts = new Map<string, RegistryHost>();

  constructor(
    readonly settings: RegistrySettings = loadSettings(),
    env: NodeJS.ProcessEnv = process.env,
    /** Where to remember which insecure registries speak plain HTTP (the runtime directory: gone after a reboot). */
    cacheDir: string | null = null,
  ) {
    this.ctx = {
      transport: new Transport(settings, env, cacheDir),
      credentials: new CredentialStore(env),
      tokens: new TokenCache(),
    };
  }

  /** The registry a reference names (docker.io's API host is registry-1.docker.io). */
  host(domain: string): RegistryHost {
    let h = this.hosts.get(domain);
    if (!h) {
      h = new RegistryHost(this.ctx, domain);
      this.hosts.set(domain, h);
    }
    return h;
  }

  /**
   * Where to pull from: docker.io's mirrors first, then the registry itself
   * (with the credentials given: see hostFor). Credentials given for a pull are
   * docker.io's own, so no mirror is asked then.
   */
  pullHosts(domain: string, auth?: RegistryCredentials | null): RegistryHost[] {
    const main = this.hostFor(domain, auth);
    if (auth || domain !== DEFAULT_DOMAIN || !this.settings.mirrors.length) return [main];
    const mirrors = this.settings.mirrors.map((m) => {
      const key = `mirror:${m}`;
      let h = this.hosts.get(key);
      if (!h) {
        h = new RegistryHost(this.ctx, domain, new URL(m).host, { base: m, credentials: null });
        this.hosts.set(key, h);
      }
      return h;
    });
    return [...mirrors, main];
  }

  /**
   * The registry for one operation: with the credentials it was given; with
   * none at all for null (an API client that sent none: dockerd uses only what
   * its client sends, never credentials saved on the host); else the shared
   * host, with the saved credentials.
   */
  hostFor(domain: string, auth?: RegistryCredentials | null): RegistryHost {
    if (auth === undefined) return this.host(domain);
    return new RegistryHost(this.ctx, domain, undefined, {
      credentials: auth ? { username: auth.username, secret: auth.password } : null,
    });
  }

  /** A host with explicit credentials (login checks them before saving). */
  withCredentials(domain: string, creds: Credentials): RegistryHost {
    return new RegistryHost(this.ctx, domain, undefined, { credentials: creds });
  }

  close(): Promise<void> {
    return this.ctx.transport.close();
  }
}
