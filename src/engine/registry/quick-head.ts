/**
 * The one request a pull of an image already here needs: HEAD of the
 * manifest, sent with Node's own http/https (a few milliseconds to load),
 * so a pull that finds nothing new does not load the full client. Anything
 * it cannot settle alone (a proxy, credentials, an odd answer) returns null
 * and the full client takes over.
 */
import type { IncomingMessage } from 'node:http';
import { BerthError } from '../errors.js';
import { responseError } from './errors.js';
import type { Transport } from './http.js';
import { MANIFEST_ACCEPT } from './media-types.js';

/** What the HEAD asked and was answered: the digest, and the request (for a pull replay record). */
export interface QuickHead {
  digest: string;
  scheme: 'https' | 'http';
  accept: string;
}

export async function quickHeadDigest(
  transport: Transport,
  hostport: string,
  path: string,
  reference: string,
  names: { ref: string; repo: string },
  signal?: AbortSignal,
): Promise<QuickHead | null> {
  if (transport.proxied(hostport, 'https:') || transport.proxied(hostport, 'http:')) return null;
  let scheme: 'https' | 'http';
  let insecure: boolean;
  try {
    ({ scheme, insecure } = await transport.scheme(hostport, signal));
  } catch {
    return null;
  }
  const mod = scheme === 'https' ? await import('node:https') : await import('node:http');
  const url = new URL(`${scheme}://${hostport}/v2/${path}/manifests/${reference}`);
  const accept = MANIFEST_ACCEPT.join(', ');
  const res = await new Promise<IncomingMessage | null>((resolve) => {
    const req = mod.request(
      url,
      {
        method: 'HEAD',
        headers: { accept },
        timeout: 15_000,
        ...(signal ? { signal } : {}),
        ...(scheme === 'https' ? transport.tlsOptions(hostport, insecure) : {}),
        agent: false,
      },
      resolve,
    );
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end();
  });
  if (!res) {
    if (signal?.aborted) throw new BerthError('CANCELLED', 'pull cancelled');
    return null;
  }
  res.resume();
  if (res.statusCode === 404) throw responseError(404, '', { kind: 'manifest', ...names });
  const digest = res.headers['docker-content-digest'];
  if (res.statusCode !== 200 || typeof digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(digest)) return null;
  return { digest, scheme, accept };
}
