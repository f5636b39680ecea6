/** Shared test environment: paths, root check, temp stores, running the real CLI. */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, it } from 'vitest';
import { dropNetworks } from './network.js';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Archives written by docker, podman and skopeo, kept in the repository (test/fixtures/README.md). */
export const FIXTURES = resolve(REPO, 'test', 'fixtures');
export const CLI = join(REPO, 'dist', 'cli', 'main.cjs');

export const isRoot = process.getuid?.() === 0;

/** Print why a suite is skipped, so a skip is never silent. */
export function skipReason(): string | null {
  if (!isRoot) return 'needs root (overlay-form layers use device nodes and trusted.* xattrs)';
  return null;
}

/**
 * Say why a suite or test skips: printed at once, and recorded so the run's
 * reporter (test/setup/skip-reporter.ts) lists every skipped test by name with
 * its reason at the end. `suite` is the describe or it name being skipped.
 */
export function announceSkip(suite: string, reason: string | null): boolean {
  if (!reason) return false;
  process.stderr.write(`SKIP ${suite}: ${reason}\n`);
  const log = process.env.BERTH_SKIP_LOG;
  if (log) appendFileSync(log, JSON.stringify({ name: suite, reason }) + '\n');
  return true;
}

/** describe, skipped (with the reason recorded) when `reason` is set. */
export function describeIf(reason: string | null): (name: string, fn: () => void) => void {
  return (name, fn) => describe.skipIf(announceSkip(name, reason))(name, fn);
}

/** it, skipped (with the reason recorded) when `reason` is set. */
export function itIf(reason: string | null): (name: string, fn: () => Promise<void> | void, timeout?: number) => void {
  return (name, fn, timeout) => it.skipIf(announceSkip(name, reason))(name, fn, timeout);
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
    cleanup: () => {
      dropNetworks(root);
      rmSync(base, { recursive: true, force: true });
    },
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
