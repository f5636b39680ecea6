/**
 * What the confinement tests attack with: a loop device holding a secret (a
 * real host block device the sandbox lets root open), a static syscall probe
 * (syscall-probe.c) built for the container, and a way to run berth with the
 * cgroup v2 hierarchy in view on a hybrid host (a private mount namespace in
 * which the unified hierarchy is bound over /sys/fs/cgroup), so the v2 device
 * program is what confines the container.
 */
import { execFileSync } from 'node:child_process';
import { statSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, REPO, type RunResult } from './env.js';

export interface LoopDevice {
  path: string;
  major: number;
  minor: number;
  secret: string;
  detach(): void;
}

/** A loop device over a file that starts with a secret. */
export function loopWithSecret(dir: string): LoopDevice {
  const secret = `host-disk-secret-${process.pid}`;
  const img = join(dir, 'disk.img');
  writeFileSync(img, Buffer.concat([Buffer.from(secret), Buffer.alloc(64 * 1024 - secret.length)]));
  const path = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim();
  const rdev = statSync(path).rdev;
  return {
    path,
    major: (rdev >> 8) & 0xfff,
    minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
    secret,
    detach: () => execFileSync('losetup', ['-d', path]),
  };
}

/** The syscall probe, built static for the container. */
export function buildProbe(dir: string): string {
  const out = join(dir, 'syscall-probe');
  execFileSync('cc', ['-static', '-O2', '-o', out, join(REPO, 'test', 'helpers', 'syscall-probe.c')]);
  return out;
}

/** The probe's "name=result" lines as an object. */
export function probeResults(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => l.split('=') as [string, string]),
  );
}

const CGROUP2 = 0x63677270;
const isV2 = (dir: string) => {
  try {
    return statfsSync(dir).type === CGROUP2;
  } catch {
    return false;
  }
};

/** Why berth cannot be run on cgroup v2 here, or null. */
export function v2SkipReason(): string | null {
  if (isV2('/sys/fs/cgroup') || isV2('/sys/fs/cgroup/unified')) return null;
  return 'no cgroup v2 hierarchy is mounted (neither /sys/fs/cgroup nor /sys/fs/cgroup/unified)';
}

/** argv that runs cmd with the cgroup v2 hierarchy at /sys/fs/cgroup (as on a v2 host). */
export function onCgroupV2(cmd: string[]): string[] {
  if (isV2('/sys/fs/cgroup')) return cmd;
  return [
    'unshare',
    '-m',
    '--propagation',
    'private',
    'sh',
    '-c',
    'mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup && exec "$@"',
    'sh',
    ...cmd,
  ];
}

/** The CLI (or bin/berth with the launcher) on cgroup v2; only for `run --rm`, whose monitor ends with it. */
export async function berthOnV2(
  t: { env: Record<string, string> },
  args: string[],
  opts: { bin?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const [cmd, ...rest] = onCgroupV2(opts.bin ? [opts.bin, ...args] : ['node', CLI, ...args]);
  const r = await execa(cmd!, rest, {
    env: { ...t.env, NO_COLOR: '1', ...opts.env },
    reject: false,
    stripFinalNewline: false,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
