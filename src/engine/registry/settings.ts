/**
 * Registry settings: the `registry` section of berth's config file
 * (`$XDG_CONFIG_HOME/berth/config.json`), with the names of docker's
 * daemon.json so a docker user can copy them over:
 *
 *   "registry": {
 *     "insecure-registries": ["myhost:5000", "10.0.0.0/8"],
 *     "registry-mirrors": ["https://mirror.example.com"],
 *     "certs-dirs": ["/etc/docker/certs.d", "/etc/containers/certs.d"],
 *     "max-concurrent-downloads": 3,
 *     "max-concurrent-uploads": 5
 *   }
 *
 * `BERTH_CERTS_D` (directories separated by ":") replaces the certificate
 * directories, as the tests do. 127.0.0.0/8 is always insecure, as in docker.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../errors.js';

export interface RegistrySettings {
  /** host[:port] names and CIDR ranges where plain HTTP and unverified TLS are allowed. */
  insecureRegistries: string[];
  /** Mirrors tried before Docker Hub for docker.io images (URLs). */
  mirrors: string[];
  /** Directories holding HOST[:PORT]/ca.crt, *.crt, client.cert and client.key. */
  certsDirs: string[];
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
}

export const DEFAULT_CERTS_DIRS = ['/etc/docker/certs.d', '/etc/containers/certs.d'];

export function defaultSettings(): RegistrySettings {
  return {
    insecureRegistries: [],
    mirrors: [],
    certsDirs: [...DEFAULT_CERTS_DIRS],
    maxConcurrentDownloads: 3,
    maxConcurrentUploads: 5,
  };
}

export function settingsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'berth', 'config.json');
}

const strings = (v: unknown, file: string, key: string): string[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new BerthError('INVALID_ARGUMENT', `${file}: registry.${key}: expected an array of strings`);
  return v as string[];
};

const count = (v: unknown, file: string, key: string, dflt: number): number => {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 64)
    throw new BerthError('INVALID_ARGUMENT', `${file}: registry.${key}: expected a whole number from 1 to 64`);
  return v;
};

/** Parse the `registry` section of a config document (pure). */
export function parseSettings(section: unknown, file: string): RegistrySettings {
  const d = defaultSettings();
  if (section === undefined) return d;
  if (!section || typeof section !== 'object' || Array.isArray(section))
    throw new BerthError('INVALID_ARGUMENT', `${file}: registry: expected an object`);
  const s = section as Record<string, unknown>;
  const known = [
    'insecure-registries',
    'registry-mirrors',
    'certs-dirs',
    'max-concurrent-downloads',
    'max-concurrent-uploads',
  ];
  for (const k of Object.keys(s))
    if (!known.includes(k)) throw new BerthError('INVALID_ARGUMENT', `${file}: registry.${k}: unknown setting`);
  for (const m of strings(s['registry-mirrors'], file, 'registry-mirrors')) {
    if (!/^https?:\/\/[^/]+/.test(m))
      throw new BerthError('INVALID_ARGUMENT', `${file}: registry.registry-mirrors: invalid mirror URL "${m}"`);
  }
  return {
    insecureRegistries: strings(s['insecure-registries'], file, 'insecure-registries'),
    mirrors: strings(s['registry-mirrors'], file, 'registry-mirrors').map((m) => m.replace(/\/+$/, '')),
    certsDirs: s['certs-dirs'] !== undefined ? strings(s['certs-dirs'], file, 'certs-dirs') : d.certsDirs,
    maxConcurrentDownloads: count(s['max-concurrent-downloads'], file, 'max-concurrent-downloads', 3),
    maxConcurrentUploads: count(s['max-concurrent-uploads'], file, 'max-concurrent-uploads', 5),
  };
}

/** The settings in force: the config file's section, then BERTH_CERTS_D. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): RegistrySettings {
  const file = settingsFile(env);
  let section: unknown;
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = null;
  }
  if (text !== null) {
    try {
      section = (JSON.parse(text) as { registry?: unknown })?.registry;
    } catch (e) {
      throw new BerthError('INVALID_ARGUMENT', `${file}: not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  const s = parseSettings(section, file);
  if (env.BERTH_CERTS_D) s.certsDirs = env.BERTH_CERTS_D.split(':').filter(Boolean);
  return s;
}

// ---- insecure registries ----------------------------------------------------

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** Whether an IPv4 or IPv6 address lies in a CIDR range. */
export function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/') as [string, string?];
  const bits = Number(bitsText);
  if (!Number.isInteger(bits)) return false;
  if (isIP(ip) === 4 && isIP(net) === 4) {
    if (bits === 0) return true;
    const mask = bits >= 32 ? 0xffffffff : (~0 << (32 - bits)) >>> 0;
    return (ipv4ToInt(ip) & mask) >>> 0 === (ipv4ToInt(net) & mask) >>> 0;
  }
  if (isIP(ip) === 6 && isIP(net) === 6) {
    const expand = (a: string) => {
      const [head, tail = ''] = a.split('::') as [string, string?];
      const h = head ? head.split(':') : [];
      const t = tail ? tail.split(':') : [];
      const mid = a.includes('::') ? Array(8 - h.length - t.length).fill('0') : [];
      return [...h, ...mid, ...t]
        .map((x) =>
          parseInt(x || '0', 16)
            .toString(2)
            .padStart(16, '0'),
        )
        .join('');
    };
    return expand(ip).slice(0, bits) === expand(net).slice(0, bits);
  }
  return false;
}

const DEFAULT_INSECURE_CIDRS = ['127.0.0.0/8'];

/** Split host[:port] (IPv6 in brackets). */
export function splitHostPort(hostport: string): { host: string; port: string } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostport) ?? /^([^:]+)(?::(\d+))?$/.exec(hostport);
  return { host: m?.[1] ?? hostport, port: m?.[2] ?? '' };
}

/**
 * docker's isSecureIndex: a registry named in insecure-registries, or one
 * whose address falls in an insecure range (127.0.0.0/8 always).
 */
export async function isInsecure(hostport: string, settings: RegistrySettings): Promise<boolean> {
  const names = settings.insecureRegistries.filter((x) => !x.includes('/'));
  if (names.includes(hostport)) return true;
  const { host } = splitHostPort(hostport);
  if (names.includes(host)) return true;
  const cidrs = [...DEFAULT_INSECURE_CIDRS, ...settings.insecureRegistries.filter((x) => x.includes('/'))];
  let addrs: string[];
  if (isIP(host)) addrs = [host];
  else {
    try {
      // loaded only for a name (it starts c-ares, which reads resolv.conf): an address needs no lookup
      const { lookup } = await import('node:dns/promises');
      addrs = (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return false;
    }
  }
  return addrs.some((a) => cidrs.some((c) => inCidr(a, c)));
}
