/**
 * The certificates a registry host uses, from certs.d directories as docker
 * and podman lay them out: DIR/HOST[:PORT]/*.crt are extra certificate
 * authorities (ca.crt among them), NAME.cert with NAME.key a client
 * certificate. Read when a registry is first contacted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';

export interface HostTls {
  ca: Buffer[];
  cert?: Buffer;
  key?: Buffer;
  /** Where the files came from (for messages). */
  dirs: string[];
}

export function hostTls(hostport: string, certsDirs: string[]): HostTls {
  const out: HostTls = { ca: [], dirs: [] };
  for (const base of certsDirs) {
    const dir = join(base, hostport.replace(/[[\]]/g, ''));
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    out.dirs.push(dir);
    for (const n of names) {
      if (n.endsWith('.crt')) out.ca.push(readFileSync(join(dir, n)));
      else if (n.endsWith('.cert')) {
        const keyName = n.slice(0, -'.cert'.length) + '.key';
        if (!names.includes(keyName))
          throw new BerthError('INVALID_ARGUMENT', `missing key ${keyName} for client certificate ${n} in ${dir}`);
        if (!out.cert) {
          out.cert = readFileSync(join(dir, n));
          out.key = readFileSync(join(dir, keyName));
        }
      } else if (n.endsWith('.key')) {
        const certName = n.slice(0, -'.key'.length) + '.cert';
        if (!names.includes(certName))
          throw new BerthError('INVALID_ARGUMENT', `missing client certificate ${certName} for key ${n} in ${dir}`);
      }
    }
  }
  return out;
}
