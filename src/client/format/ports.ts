/** A container's ports as docker's PORTS column shows them (docker CLI api.DisplayablePorts). Pure. */
import type { ContainerSummary } from '../api.js';

type Port = ContainerSummary['Ports'][number];

function compare(a: Port, b: Port): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  if ((a.IP ?? '') !== (b.IP ?? '')) return (a.IP ?? '') < (b.IP ?? '') ? -1 : 1;
  if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}

function group(key: string, first: number, last: number): string {
  const [a, b] = key.split('/');
  const ip = b === undefined ? '' : a!;
  const type = b === undefined ? a! : b;
  let g = String(first);
  if (first !== last) g += `-${last}`;
  if (ip) g = `${ip}:${g}->${g}`;
  return `${g}/${type}`;
}

const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

export function displayPorts(ports: ContainerSummary['Ports']): string {
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const mappings: string[] = [];
  for (const p of [...ports].sort(compare)) {
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== p.PrivatePort) {
        mappings.push(`${hostPort(p.IP, p.PublicPort ?? 0)}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
    else if (p.PrivatePort === g.last + 1) g.last = p.PrivatePort;
    else {
      result.push(group(key, g.first, g.last));
      groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
    }
  }
  for (const [key, g] of groups) result.push(group(key, g.first, g.last));
  return [...result, ...mappings].join(', ');
}
