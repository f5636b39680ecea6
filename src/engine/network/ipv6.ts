/**
 * IPv6 for --ipv6 networks, kept small: a container's IPv6 address is its
 * IPv4 address's offset in the IPv4 subnet, added to the IPv6 subnet, so
 * IPAM hands out IPv4 addresses only and both families stay unique
 * together. Pure.
 */
export interface Subnet6 {
  base: bigint;
  prefix: number;
}

export function parseIp6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:]+$/.test(s) || !s.includes(':')) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const part = (h: string) => (h ? h.split(':') : []);
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

/** The shortest form (RFC 5952): lower case, the longest run of zero groups as "::". */
export function formatIp6(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (a: number[]) => a.map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

export function parseSubnet6(s: string): Subnet6 | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIp6(s.slice(0, slash));
  const prefix = Number(s.slice(slash + 1));
  if (ip === null || !/^\d{1,3}$/.test(s.slice(slash + 1)) || prefix > 128) return null;
  const mask = prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
  return { base: ip & mask, prefix };
}

export const formatSubnet6 = (s: Subnet6): string => `${formatIp6(s.base)}/${s.prefix}`;

export function contains6(s: Subnet6, ip: bigint): boolean {
  return ip >= s.base && ip < s.base + (1n << BigInt(128 - s.prefix));
}

/** The container's IPv6 address: its IPv4 offset in the IPv4 subnet, in the IPv6 one. */
export function ip6For(s6: Subnet6, v4: number, v4base: number): string {
  return formatIp6(s6.base + BigInt(v4 - v4base));
}
