/**
 * Published and exposed ports: docker's -p/--publish, --expose and -P
 * grammar and messages (go-connections nat.ParsePortSpec), and the shapes
 * docker records (Config.ExposedPorts, HostConfig.PortBindings). Pure.
 */
import { invalidArg } from '../errors.js';
import { parseIp4 } from './ipv4.js';

export interface PortBinding {
  HostIp: string;
  /** A port, a range "8000-8010" to pick one from, or "" for a random one. */
  HostPort: string;
}

export type PortMap = Record<string, PortBinding[]>;

const PROTOS = ['tcp', 'udp', 'sctp'];

/** docker's ParsePortRange: "80" or "8000-8010", each a 16-bit number; null when bad. */
export function parsePortRange(s: string): [number, number] | null {
  const num = (x: string) => (/^\d+$/.test(x) && Number(x) <= 65535 ? Number(x) : null);
  if (!s) return null;
  if (!s.includes('-')) {
    const n = num(s);
    return n === null ? null : [n, n];
  }
  const [a, b] = s.split('-');
  const start = num(a ?? '');
  const end = num(b ?? '');
  if (start === null || end === null || end < start) return null;
  return [start, end];
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  if (parts.length === 1) return ['', '', parts[0]!];
  if (parts.length === 2) return ['', parts[0]!, parts[1]!];
  const n = parts.length;
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, parts[n - 1]!];
}

function splitProto(s: string): [string, string] {
  const slash = s.indexOf('/');
  if (slash < 0) return [s, 'tcp'];
  return [s.slice(0, slash), s.slice(slash + 1) || 'tcp'];
}

function hostIpOf(ip: string): string {
  if (!ip) return '';
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (parseIp4(bare) !== null) return bare;
  if (/^[0-9a-fA-F:.]+$/.test(bare) && bare.includes(':')) return bare;
  throw invalidArg(`invalid IP address: ${ip}`);
}

/** One -p value: the container ports it publishes and how. */
export function parsePublish(raw: string): { port: string; binding: PortBinding }[] {
  const [ip, hostPort, containerSpec] = splitParts(raw);
  const [containerPort, protoRaw] = splitProto(containerSpec);
  if (!containerPort) throw invalidArg(`no port specified: ${raw}<empty>`);
  const proto = protoRaw.toLowerCase();
  if (!PROTOS.includes(proto)) throw invalidArg(`invalid proto: ${proto}`);
  const hostIp = hostIpOf(ip);
  const range = parsePortRange(containerPort);
  if (!range) throw invalidArg(`invalid containerPort: ${containerPort}`);
  const [start, end] = range;
  let hostRange: [number, number] | null = null;
  if (hostPort) {
    hostRange = parsePortRange(hostPort);
    if (!hostRange) throw invalidArg(`invalid hostPort: ${hostPort}`);
    if (end - start !== hostRange[1] - hostRange[0] && end !== start)
      throw invalidArg(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  const out: { port: string; binding: PortBinding }[] = [];
  const count = end - start + 1;
  for (let i = 0; i < count; i++) {
    let hp = '';
    if (hostRange) {
      hp = String(hostRange[0] + i);
      if (count === 1 && hostRange[0] !== hostRange[1]) hp += `-${hostRange[1]}`;
    }
    out.push({ port: `${start + i}/${proto}`, binding: { HostIp: hostIp, HostPort: hp } });
  }
  return out;
}

/** One --expose value: "80", "80/udp", "8000-8010/tcp". */
export function parseExpose(raw: string): string[] {
  if (raw.includes(':')) throw invalidArg(`invalid port format for --expose: ${raw}`);
  const [port, proto] = splitProto(raw);
  const range = parsePortRange(port);
  if (!range) throw invalidArg(`invalid range format for --expose: ${raw}, error: invalid port ${port}`);
  if (!PROTOS.includes(proto.toLowerCase())) throw invalidArg(`invalid proto: ${proto}`);
  const out: string[] = [];
  for (let p = range[0]; p <= range[1]; p++) out.push(`${p}/${proto.toLowerCase()}`);
  return out;
}

/** -p values and --expose values to docker's ExposedPorts (additions) and PortBindings. */
export function portConfig(publish: string[], expose: string[]): { exposed: string[]; bindings: PortMap } {
  const bindings: PortMap = {};
  const exposed: string[] = [];
  for (const raw of publish) {
    for (const { port, binding } of parsePublish(raw)) {
      if (!exposed.includes(port)) exposed.push(port);
      (bindings[port] ??= []).push(binding);
    }
  }
  for (const raw of expose) for (const p of parseExpose(raw)) if (!exposed.includes(p)) exposed.push(p);
  // moby validatePortBindings: a container port of 0 is refused
  for (const port of Object.keys(bindings))
    if (port.startsWith('0/')) throw invalidArg(`invalid port specification: "${port}"`);
  return { exposed, bindings };
}

/** -P: every exposed port without a binding gets a random host port. */
export function publishAll(exposed: string[], bindings: PortMap): PortMap {
  const out: PortMap = { ...bindings };
  for (const p of exposed) if (!out[p]) out[p] = [{ HostIp: '', HostPort: '' }];
  return out;
}

/** A resolved binding: what the kernel forwards. */
export interface PublishedPort {
  proto: 'tcp' | 'udp' | 'sctp';
  /** "" for every address of the host ("0.0.0.0" as docker shows it) */
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

/** Sort key of a "80/tcp" port as docker sorts them (number, then protocol). */
export function portSortKey(p: string): [number, string] {
  const [n, proto] = p.split('/');
  return [Number(n), proto ?? 'tcp'];
}

/** The ports range of the host for random ports (ip_local_port_range), as docker reads it. */
export function parseLocalPortRange(text: string): [number, number] {
  const m = /^\s*(\d+)\s+(\d+)/.exec(text);
  if (!m) return [49153, 65535];
  return [Number(m[1]), Number(m[2])];
}
