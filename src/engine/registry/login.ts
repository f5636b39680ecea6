/**
 * `login` and `logout`: credentials are checked against the registry (GET
 * /v2/ with them: Basic, or a token from the token server) before they are
 * saved where docker saves them. Neither the password nor anything derived
 * from it appears in a message.
 */
import { BerthError } from '../errors.js';
import { DEFAULT_DOMAIN } from '../reference/reference.js';
import type { LoginResult, RegistryCredentials } from '../types.js';
import { HUB_KEY, serverKey } from './credentials.js';
import type { RegistryService } from './service.js';

/** The registry a login names: docker.io by default; a URL or host[:port] otherwise. */
export function loginDomain(server: string | undefined): string {
  if (!server || server === HUB_KEY) return DEFAULT_DOMAIN;
  const host = server.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (!host) throw new BerthError('INVALID_ARGUMENT', `invalid registry "${server}"`);
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DEFAULT_DOMAIN : host;
}

/**
 * Check credentials against a registry and save nothing (the API's POST
 * /auth: the client keeps them); the registry's domain.
 */
export async function checkLogin(
  service: RegistryService,
  server: string | undefined,
  creds: RegistryCredentials,
  signal?: AbortSignal,
): Promise<string> {
  if (!creds.username) throw new BerthError('INVALID_ARGUMENT', 'Username is required');
  if (!creds.password) throw new BerthError('INVALID_ARGUMENT', 'Password is required');
  const domain = loginDomain(server);
  const host = service.withCredentials(domain, { username: creds.username, secret: creds.password });
  try {
    await host.ping(signal);
  } catch (e) {
    if (e instanceof BerthError && e.code === 'UNAUTHORIZED' && !/^(Get "|login attempt)/.test(e.message)) {
      throw new BerthError('UNAUTHORIZED', `Get "${await host.base(signal)}/v2/": ${e.message}`);
    }
    throw e;
  }
  return domain;
}

export async function login(
  service: RegistryService,
  server: string | undefined,
  creds: RegistryCredentials,
  signal?: AbortSignal,
): Promise<LoginResult> {
  const domain = await checkLogin(service, server, creds, signal);
  const where = await service.ctx.credentials.store(domain, { username: creds.username, secret: creds.password });
  return { server: serverKey(domain), helper: where.helper, configPath: where.path };
}

export async function logout(
  service: RegistryService,
  server: string | undefined,
): Promise<{ server: string; removed: boolean }> {
  const domain = loginDomain(server);
  const removed = await service.ctx.credentials.erase(domain);
  return { server: domain === DEFAULT_DOMAIN ? HUB_KEY : domain, removed };
}
