/** Shared test environment: paths, root check, temp stores, running the real CLI. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const FIXTURES = resolve(REPO, '..', 'shared', 'fixtures');
export const CLI = join(REPO, 'dist', 'cli', 'main.js');

export const isRoot = process.getuid?.() === 0;

/** Print why a suite is skipped, so a skip is never silent. */
export function skipReason(): string | null {
  if (!isRoot) return 'needs root (overlay-form layers use device nodes and trusted.* xattrs)';
  return null;
}

export function announceSkip(suite: string, reason: string | null): boolean {
  if (reason) process.stderr.write(`SKIP ${suite}: ${reason}\n`);
  return !!reason;
}

export interface TempRoot {
  root: string;
  runroot: string;
  base: string;
  env: Record<string, string>;
  cleanup(): void;
}

export function tempRoot(prefix = 'berth-test-'): TempRoot {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const root = join(base, 'root');
  const runroot = join(base, 'run');
  return {
    base,
    root,
    runroot,
    env: { BERTH_ROOT: root, BERTH_RUNROOT: runroot },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run the built CLI against a root; never throws on a non-zero exit. */
export async function berth(
  t: Pick<TempRoot, 'env'>,
  args: string[],
  opts: {
    input?: string | Buffer;
    inputFile?: string;
    env?: Record<string, string>;
    timeout?: number;
    cwd?: string;
  } = {},
): Promise<RunResult> {
  const r = await execa('node', [CLI, ...args], {
    env: { ...t.env, NO_COLOR: '1', ...opts.env },
    reject: false,
    stripFinalNewline: false,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.inputFile ? { inputFile: opts.inputFile } : {}),
    ...(opts.timeout ? { timeout: opts.timeout } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Like berth() but stdout as bytes (save to stdout). */
export async function berthBytes(
  t: Pick<TempRoot, 'env'>,
  args: string[],
): Promise<{ exitCode: number; stdout: Buffer }> {
  const r = await execa('node', [CLI, ...args], {
    env: { ...t.env },
    reject: false,
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  return { exitCode: r.exitCode ?? -1, stdout: Buffer.from(r.stdout as Uint8Array) };
}

export const fixture = (name: string) => join(FIXTURES, name);

/** Why interop tests with the peer engines cannot run, or null. */
export function peerSkipReason(): string | null {
  if (!isRoot) return 'needs root';
  if (process.env.PEERS_UNAVAILABLE) return process.env.PEERS_UNAVAILABLE;
  if (!process.env.PEER_DOCKER_HOST) return 'peer engines not started (PEER_DOCKER_HOST unset)';
  return null;
}

export async function peerDocker(args: string[]): Promise<RunResult> {
  const r = await execa(process.env.PEER_DOCKER ?? 'docker', ['-H', process.env.PEER_DOCKER_HOST!, ...args], {
    reject: false,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
