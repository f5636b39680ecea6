/** Shared test environment: paths, root check, temp stores, running the real CLI. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

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

/** Run the built CLI against a root; never throws on a non-zero exit. */
export async function berth(t: Pick<TempRoot, 'env'>, args: string[], opts: Options = {}) {
  return execa('node', [CLI, ...args], {
    env: { ...t.env, NO_COLOR: '1' },
    reject: false,
    stripFinalNewline: false,
    ...opts,
  });
}

export const fixture = (name: string) => join(FIXTURES, name);
