/**
 * The host's side of networks, changed with `ip` and `nft` (spawned, never
 * on a container's start path: only when a network is created, first used,
 * removed or swept). Interfaces berth makes carry an alias naming the store
 * that owns them ("berth:<root>"), so several stores share a host without
 * touching each other's bridges. Host-wide changes happen under one lock
 * file, so two berth processes never pick the same subnet or bridge name.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { native } from '../native.js';
import { parseProcRoutes, type Subnet4 } from './ipv4.js';

const SYS_NET = '/sys/class/net';
/** Host-wide: every store's networks are made and removed under it. */
const LOCK_FILE = '/run/berth-network.lock';

/** The path of a program in the usual system directories (the PATH of a root shell may lack sbin). */
export function systemBinary(name: string): string {
  for (const d of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) if (existsSync(join(d, name))) return join(d, name);
  throw new BerthError('NOT_SUPPORTED', `${name} is not installed (berth's networks need iproute2 and nftables)`);
}

function run(program: string, args: string[], input?: string): string {
  try {
    return execFileSync(systemBinary(program), args, {
      ...(input !== undefined ? { input } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const why = String(err.stderr ?? '').trim() || err.message;
    throw new BerthError('RUNTIME', `${program} ${args.join(' ')}: ${why.split('\n').slice(-3).join('; ')}`, {
      cause: e,
    });
  }
}

/** `ip -batch -` with these lines. */
export const ipBatch = (lines: string[]): void => void run('ip', ['-batch', '-'], lines.join('\n') + '\n');
/** `nft -f -` with this script (one transaction: all or nothing). */
export const nftApply = (script: string): void => void run('nft', ['-f', '-'], script);
/** `nft` with arguments; its output. */
export const nft = (args: string[]): string => run('nft', args);

export const ifaceExists = (name: string): boolean => existsSync(join(SYS_NET, name));

export function ifaceAlias(name: string): string {
  try {
    return readFileSync(join(SYS_NET, name, 'ifalias'), 'utf8').trim();
  } catch {
    return '';
  }
}

export const interfaces = (): string[] => {
  try {
    return readdirSync(SYS_NET);
  } catch {
    return [];
  }
};

/** The bridge an interface is a port of ('' when none). */
export function ifaceMaster(name: string): string {
  try {
    return readFileSync(join(SYS_NET, name, 'master', 'uevent'), 'utf8').match(/^INTERFACE=(.*)$/m)?.[1] ?? '';
  } catch {
    return '';
  }
}

/** The subnets the host routes (its interfaces' networks and static routes; default routes left out). */
export function hostRoutes(): Subnet4[] {
  try {
    return parseProcRoutes(readFileSync('/proc/net/route', 'utf8'));
  } catch {
    return [];
  }
}

export function writeSysctl(key: string, value: string): void {
  const path = join('/proc/sys', ...key.split('.'));
  try {
    if (readFileSync(path, 'utf8').trim() === value) return;
    writeFileSync(path, value);
  } catch (e) {
    throw new BerthError('RUNTIME', `cannot set ${key}=${value}: ${(e as Error).message}`, { cause: e });
  }
}

let lockDepth = 0;
let lockFd = -1;

/** Run fn holding the host-wide network lock (re-entrant within this process; fn is synchronous). */
export function withHostLock<T>(fn: () => T): T {
  if (lockDepth === 0) {
    lockFd = openSync(LOCK_FILE, 'a', 0o600);
    native().flock(lockFd, true);
  }
  lockDepth++;
  try {
    return fn();
  } finally {
    if (--lockDepth === 0) {
      closeSync(lockFd); // closing the file releases the lock
      lockFd = -1;
    }
  }
}
