/**
 * Running the real berth-dns in tests: loopback addresses of a test's own (127.N.53.x, N from the
 * process ID, so parallel runs do not meet), record files written as the engine writes them (temp +
 * rename), dig, and waiting for a daemon to leave.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO, isRoot } from './env.js';

export const DNS_BIN = join(REPO, 'native', 'build', 'Release', 'berth-dns');

/** An address of this test process's own on loopback: 127.N.53.host. */
export function loopback(host: number): string {
  return `127.${100 + (process.pid % 150)}.53.${host}`;
}

/** Why the responder's tests cannot run, or null. */
export function dnsSkipReason(): string | null {
  if (!isRoot) return 'needs root (port 53, network namespaces)';
  if (!existsSync(DNS_BIN)) return `${DNS_BIN} is not built (npm run build)`;
  for (const tool of ['dig', 'ip', 'busybox', 'unshare']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return `${tool} is not installed (scripts/peers.sh installs dnsutils, iproute2, busybox-static, util-linux)`;
  }
  return null;
}

export interface Record {
  names: string[];
  ipv4?: string[];
  ipv6?: string[];
}

export function writeRecord(dir: string, id: string, rec: Record | string): void {
  const tmp = join(dir, `${id}.json.tmp`);
  writeFileSync(tmp, typeof rec === 'string' ? rec : JSON.stringify(rec));
  renameSync(tmp, join(dir, `${id}.json`));
}

export function removeRecord(dir: string, id: string): void {
  rmSync(join(dir, `${id}.json`));
}

export interface Started {
  status: number;
  stderr: string;
  pid: number | null;
}

/** berth-dns as the engine starts it: returns when the starting process has (daemon running, or failed). */
export function startResponder(args: string[], pidfile?: string): Started {
  const r = spawnSync(DNS_BIN, [...args, ...(pidfile ? ['--pidfile', pidfile] : [])], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const pid = pidfile && existsSync(pidfile) ? Number(readFileSync(pidfile, 'utf8').trim()) : null;
  return { status: r.status ?? -1, stderr: r.stderr, pid };
}

export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie has exited
  } catch {
    return false;
  }
}

/** Wait (at most timeoutMs) for a process to exit; true if it did. */
export async function waitGone(pid: number, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

export function stopResponder(pid: number | null): void {
  if (pid && alive(pid)) process.kill(pid, 'SIGTERM');
}

/** dig against server, one try; the output of +short, or the full text with full. */
export async function dig(server: string, args: string[], full = false): Promise<string> {
  const r = await execa('dig', [`@${server}`, '+time=3', '+tries=1', ...(full ? [] : ['+short']), ...args], {
    reject: false,
  });
  return String(r.stdout).trim();
}

/** The status word of a dig answer (NOERROR, NXDOMAIN, ...). */
export function digStatus(out: string): string {
  return /status: (\w+)/.exec(out)?.[1] ?? `no status in: ${out}`;
}

/** A records directory with a pidfile beside it, in a temp dir of its own. */
export function dnsDirs(prefix: string): { base: string; records: string; pidfile: string; log: string } {
  const base = mkdtempSync(join(tmpdir(), `berth-dns-${prefix}-`));
  const records = join(base, 'records');
  mkdirSync(records);
  return { base, records, pidfile: join(base, 'dns.pid'), log: join(base, 'dns.log') };
}

/** Voluntary and involuntary context switches so far: unchanged while the process sleeps. */
export function wakeups(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return [...status.matchAll(/ctxt_switches:\s+(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

export function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

/** A network namespace joined to the host by a veth pair: the host side has hostAddr/30. */
export function makeNetns(name: string, hostAddr: string, nsAddr: string): () => void {
  const host = `${name}h`;
  const peer = `${name}n`;
  const ip = (...a: string[]) => execFileSync('ip', a, { stdio: 'pipe' });
  ip('netns', 'add', name);
  ip('link', 'add', host, 'type', 'veth', 'peer', 'name', peer);
  ip('link', 'set', peer, 'netns', name);
  ip('addr', 'add', `${hostAddr}/30`, 'dev', host);
  ip('link', 'set', host, 'up');
  ip('netns', 'exec', name, 'ip', 'addr', 'add', `${nsAddr}/30`, 'dev', peer);
  ip('netns', 'exec', name, 'ip', 'link', 'set', peer, 'up');
  ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  return () => {
    spawnSync('ip', ['link', 'del', host]);
    spawnSync('ip', ['netns', 'del', name]);
  };
}
