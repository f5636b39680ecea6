/**
 * IPv4 addresses and subnets as numbers, and docker's default address pools.
 * Pure: the caller reads the host's routes and the store's networks.
 */
import { invalidArg } from '../errors.js';

export interface Subnet4 {
  /** the network address, as an unsigned 32-bit number */
  base: number;
  prefix: number;
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IPv4 address as a number, or null when s is not one. */
export function parseIp4(s: string): number | null {
  const m = IPV4_RE.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export const formatIp4 = (n: number): string => `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

export const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

export const subnetSize = (s: Subnet4): number => 2 ** (32 - s.prefix);
export const lastOf = (s: Subnet4): number => s.base + subnetSize(s) - 1;
export const formatSubnet = (s: Subnet4): string => `${formatIp4(s.base)}/${s.prefix}`;
export const contains = (s: Subnet4, ip: number): boolean => ip >= s.base && ip <= lastOf(s);
export const overlaps = (a: Subnet4, b: Subnet4): boolean => a.base <= lastOf(b) && b.base <= lastOf(a);

/** "10.1.0.0/16"; the address part must be the network's (docker: "invalid subnet" otherwise, via libnetwork). */
export function parseSubnet4(s: string): Subnet4 | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIp4(s.slice(0, slash));
  const prefixText = s.slice(slash + 1);
  if (ip === null || !/^\d{1,2}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > 32) return null;
  return { base: (ip & maskOf(prefix)) >>> 0, prefix };
}

/** Like parseSubnet4, with docker's message for a bad one. */
export function subnetArg(s: string, what = 'subnet'): Subnet4 {
  const sub = parseSubnet4(s);
  if (!sub) throw invalidArg(`invalid CIDR address: ${s}`);
  void what;
  return sub;
}

/** The addresses a container may get in a subnet: all but the network and broadcast addresses (/31, /32: all). */
export function hostRange(s: Subnet4): { first: number; last: number } {
  if (s.prefix >= 31) return { first: s.base, last: lastOf(s) };
  return { first: s.base + 1, last: lastOf(s) - 1 };
}

/**
 * docker's default address pools (libnetwork ipamutils): 172.17.0.0/16 to
 * 172.31.0.0/16 as /16 networks, then 192.168.0.0/16 in /20 pieces.
 */
export function* defaultPools(): Generator<Subnet4> {
  for (let b = 17; b <= 31; b++) yield { base: ((172 << 24) >>> 0) + (b << 16), prefix: 16 };
  for (let c = 0; c < 256; c += 16) yield { base: ((192 << 24) >>> 0) + (168 << 16) + (c << 8), prefix: 20 };
}

/** The first default pool that overlaps none of `taken` (the host's routes and addresses, the store's networks). */
export function firstFreePool(taken: Subnet4[]): Subnet4 | null {
  for (const p of defaultPools()) if (!taken.some((t) => overlaps(p, t))) return p;
  return null;
}

/** docker's MAC for a container address: 02:42 and the four bytes of the address. */
export function macForIp4(ip: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `02:42:${hex((ip >>> 24) & 255)}:${hex((ip >>> 16) & 255)}:${hex((ip >>> 8) & 255)}:${hex(ip & 255)}`;
}

/** The IPv4 routes of the host as subnets, from /proc/net/route text (default routes left out). */
export function parseProcRoutes(text: string): Subnet4[] {
  const out: Subnet4[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    // little-endian hex as the kernel prints it
    const le = (h: string) => {
      const n = parseInt(h, 16);
      return (((n & 255) << 24) >>> 0) + (((n >>> 8) & 255) << 16) + (((n >>> 16) & 255) << 8) + ((n >>> 24) & 255);
    };
    const mask = le(f[7]!);
    if (mask === 0) continue;
    let prefix = 0;
    while (prefix < 32 && mask & (0x80000000 >>> prefix)) prefix++;
    out.push({ base: (le(f[1]!) & maskOf(prefix)) >>> 0, prefix });
  }
  return out;
}

/** A MAC address as docker takes it (--mac-address): six hex pairs joined by ':' or '-'. */
export function validMac(s: string): boolean {
  return /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(s);
}
