/**
 * Certificates for the test registries, made with openssl: one throwaway CA
 * per registry, a server certificate for 127.0.0.1 (IP SAN) and localhost
 * signed by it, and a token-signing certificate (the registry's
 * `rootcertbundle`). The CA is laid out as docker's certs.d convention wants
 * (`<dir>/<host:port>/ca.crt`, as /etc/docker/certs.d and
 * /etc/containers/certs.d are read), so a client can be pointed at it.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RegistryCerts {
  /** PEM of the CA that signed the server and token certificates. */
  caFile: string;
  /** The registry's (and token server's) certificate and key. */
  serverCert: string;
  serverKey: string;
  /** The key that signs bearer tokens, and its self-signed certificate (the registry's rootcertbundle). */
  tokenKey: string;
  tokenCert: string;
}

const openssl = (dir: string, args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** Make a CA, a server certificate for 127.0.0.1 and localhost, and a token-signing certificate in `dir`. */
export function makeCerts(dir: string): RegistryCerts {
  mkdirSync(dir, { recursive: true });
  const days = ['-days', '2'];
  openssl(dir, ['genrsa', '-out', 'ca.key', '2048']);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-sha256',
    ...days,
    '-subj',
    '/CN=berth test CA',
    '-out',
    'ca.crt',
  ]);
  openssl(dir, ['genrsa', '-out', 'server.key', '2048']);
  openssl(dir, ['req', '-new', '-key', 'server.key', '-subj', '/CN=127.0.0.1', '-out', 'server.csr']);
  writeFileSync(
    join(dir, 'server.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-sha256',
    ...days,
    '-extfile',
    'server.ext',
    '-out',
    'server.crt',
  ]);
  openssl(dir, ['genrsa', '-out', 'token.key', '2048']);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    'token.key',
    '-sha256',
    ...days,
    '-subj',
    '/CN=berth test token signer',
    '-out',
    'token.crt',
  ]);
  return {
    caFile: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    tokenKey: join(dir, 'token.key'),
    tokenCert: join(dir, 'token.crt'),
  };
}

/**
 * Lay the CA out as certs.d does: `<certsDir>/<host>/ca.crt` for each host
 * name (e.g. 127.0.0.1:5000 and localhost:5000).
 */
export function writeCertsD(certsDir: string, caFile: string, hosts: string[]): void {
  for (const h of hosts) {
    mkdirSync(join(certsDir, h), { recursive: true });
    copyFileSync(caFile, join(certsDir, h, 'ca.crt'));
  }
}

/**
 * The key ID libtrust (and so distribution's token auth) gives a public key:
 * SHA-256 of its DER SubjectPublicKeyInfo, first 240 bits, base32 without
 * padding, in groups of four joined by ':'.
 */
export function libtrustKeyId(certOrKeyPem: string): string {
  const key = certOrKeyPem.includes('CERTIFICATE')
    ? new X509Certificate(certOrKeyPem).publicKey
    : createPublicKey(certOrKeyPem);
  const der = key.export({ type: 'spki', format: 'der' });
  const b32 = base32(createHash('sha256').update(der).digest().subarray(0, 30));
  return b32.match(/.{1,4}/g)!.join(':');
}

function base32(buf: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** Read a PEM file. */
export const pem = (file: string): string => readFileSync(file, 'utf8');
