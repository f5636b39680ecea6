/** What a test store leaves on the host's network: its bridges (alias "berth:<root>") and its nftables table. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';

const alias = (name: string) => {
  try {
    return readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** The interfaces a store made (its bridges). */
export function storeInterfaces(root: string): string[] {
  return readdirSync('/sys/class/net').filter((n) => alias(n) === `berth:${root}`);
}

/** The nftables table of a store (src/engine/network/scope.ts). */
export const storeTable = (root: string) => `berth_${createHash('sha256').update(root).digest('hex').slice(0, 8)}`;

/** Remove a test store's bridges and table (its containers must be gone). */
export function dropNetworks(root: string): void {
  if (process.getuid?.() !== 0) return;
  for (const n of storeInterfaces(root)) {
    try {
      execFileSync('ip', ['link', 'del', 'dev', n], { stdio: 'ignore' });
    } catch {
      /* gone meanwhile */
    }
  }
  try {
    execFileSync('nft', ['delete', 'table', 'inet', storeTable(root)], { stdio: 'ignore' });
  } catch {
    /* none */
  }
}

/** This machine's own IPv4 address (not loopback, not a berth bridge's): the tests' "host address". */
export function hostAddress(): string {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (name === 'lo' || name.startsWith('berth') || name.startsWith('br-') || alias(name).startsWith('berth:'))
      continue;
    const a = (addrs ?? []).find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return a.address;
  }
  throw new Error('this machine has no IPv4 address but loopback');
}

/** An HTTP GET from this process; the body, or the error's code. */
export function httpGet(host: string, port: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const req = httpRequest({ host, port, path: '/', timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`error:${e.code ?? e.message}`));
    req.end();
  });
}

/** An A query over UDP to a DNS server at host:port (the addresses, or the error's code). */
export async function udpLookup(host: string, port: number, name: string): Promise<string[] | string> {
  const r = new Resolver({ timeout: 2000, tries: 2 });
  r.setServers([`${host}:${port}`]);
  try {
    return await r.resolve4(name);
  } catch (e) {
    return `error:${(e as NodeJS.ErrnoException).code}`;
  }
}

/** Counts of what networking leaves on the host: interfaces, and the store table's rules and map elements. */
export function hostNetCounts(root: string): { interfaces: number; veths: number; rules: number; elements: number } {
  const ifaces = readdirSync('/sys/class/net');
  let table = '';
  try {
    table = execFileSync('nft', ['list', 'table', 'inet', storeTable(root)], { encoding: 'utf8' });
  } catch {
    /* no table */
  }
  const elements = (table.match(/elements = \{([^}]*)\}/g) ?? [])
    .filter((e) => e.includes(' : '))
    .reduce((n, e) => n + e.split(',').length, 0);
  const rules = table.split('\n').filter((l) => /^\t\t(?!type |elements|flags|auto-merge)\S/.test(l)).length;
  return {
    interfaces: ifaces.length,
    veths: ifaces.filter((n) => /^vb[0-9a-f]{12}\d$/.test(n)).length,
    rules,
    elements,
  };
}
