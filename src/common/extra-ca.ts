/**
 * NODE_EXTRA_CA_CERTS, read when berth first needs it rather than when Node
 * starts. Node reads and parses that file at every start, before any code
 * runs: 35-40 ms of each command on a machine whose bundle holds some 140
 * certificates (README.md, "How it is built"), although most commands (`berth ps`,
 * `berth run`, a pull from a plain-HTTP registry) open no TLS connection.
 * The native launcher (native/launcher/main.c) and bin/berth hand the
 * variable to Node as BERTH_EXTRA_CA_CERTS instead; every TLS client berth
 * makes then trusts Node's own roots and these certificates, as Node would
 * have, by giving them as its `ca` (trustedCa). dist/cli/main.cjs puts the
 * variable back in the environment for the programs berth runs.
 *
 * As with Node, a file that cannot be read or holds no certificate adds
 * nothing.
 */
import { readFileSync } from 'node:fs';

/** The variable the launcher moves NODE_EXTRA_CA_CERTS to. */
export const DEFERRED_CA_ENV = 'BERTH_EXTRA_CA_CERTS';

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM certificates of a bundle file, in order (none when it cannot be read). */
export function pemCertificates(file: string): string[] {
  try {
    return readFileSync(file, 'latin1').match(PEM) ?? [];
  } catch {
    return [];
  }
}

let deferred: string[] | null = null;
const deferredCerts = (env: NodeJS.ProcessEnv): string[] => {
  const file = env[DEFERRED_CA_ENV];
  if (!file) return [];
  return (deferred ??= pemCertificates(file));
};

/**
 * The `ca` option of a TLS client: undefined when Node's default store says it all (no deferred
 * certificates and no others), else Node's roots, the deferred NODE_EXTRA_CA_CERTS and `more` (a
 * registry's certs.d CA, for one). Giving `ca` replaces Node's store, extra certificates included.
 */
export function trustedCa(more: string[] = [], env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const extra = deferredCerts(env);
  if (!extra.length && !more.length) return undefined;
  // node:tls loads only here: a command that opens no TLS connection never loads it
  return [...process.getBuiltinModule('node:tls').rootCertificates, ...extra, ...more];
}

/**
 * Node's fetch() init with a dispatcher trusting the deferred certificates, when there are some
 * (Node's global dispatcher trusts only the store Node built at its start).
 */
export async function fetchTrusting<T extends object>(init: T): Promise<T> {
  const ca = trustedCa();
  if (!ca) return init;
  const undici = (await import('undici')) as unknown as typeof import('undici') & { default?: typeof import('undici') };
  const { Agent } = typeof undici.Agent === 'function' ? undici : undici.default!;
  return { ...init, dispatcher: new Agent({ connect: { ca } }) };
}
