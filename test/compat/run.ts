/**
 * The compatibility run: every case of cases.ts through the real docker CLI,
 * once against berth's API service and once against the peer dockerd, the
 * outputs (stdout, stderr, exit status) normalised and compared.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CASES, CLEANUP, type Case } from './cases.js';
import { normalize, type SideFacts } from './normalize.js';

export interface Side extends SideFacts {
  name: string;
  dockerHost: string;
  /** The docker CLI to use. */
  docker: string;
  /** More variables for the cases (this side's registries). */
  env?: Record<string, string>;
}

export interface Outcome {
  code: number | null;
  out: string;
}

export interface CaseResult {
  id: string;
  same: boolean;
  berth: Outcome;
  peer: Outcome;
}

function env(side: Side, prefix: string, fixtures: string): NodeJS.ProcessEnv {
  const dir = side.docker.slice(0, side.docker.lastIndexOf('/'));
  return {
    PATH: `${dir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: process.env.HOME ?? '/root',
    DOCKER_HOST: side.dockerHost,
    DOCKER_CLI_HINTS: 'false',
    P: prefix,
    W: side.work,
    FIX: fixtures,
    NET: '--network none',
    TERM: 'xterm',
    // the side's own docker CLI configuration (login saves there)
    DOCKER_CONFIG: join(side.work, 'docker-config'),
    ...side.env,
  };
}

/** Run one snippet; stdout and stderr in one text (as a user sees them), the exit status. */
export function runSnippet(
  c: Case,
  side: Side,
  prefix: string,
  fixtures: string,
  timeoutMs = 60_000,
): Promise<Outcome> {
  return new Promise((resolve) => {
    // one stream for both, as a terminal shows them: the order is the docker CLI's own
    const sh = `exec 2>&1\n${c.sh}`;
    const args = c.tty ? ['-qec', sh, '/dev/null'] : ['-c', sh];
    const child = spawn(c.tty ? 'script' : 'sh', args, {
      env: env(side, prefix, fixtures),
      cwd: side.work,
      stdio: ['pipe', 'pipe', 'pipe'],
      // a process group of its own, so a timeout ends the docker CLI too (it holds the pipes)
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n[timed out after ${timeoutMs} ms]\n`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    if (c.tty?.input) setTimeout(() => child.stdin.write(c.tty!.input!), c.tty.afterMs ?? 1000);
    else if (!c.tty) child.stdin.end();
    child.on('close', (code) => {
      clearTimeout(timer);
      if (!child.stdin.destroyed) child.stdin.destroy();
      resolve({ code, out });
    });
  });
}

export async function runCompat(
  berth: Side,
  peer: Side,
  o: { prefix: string; fixtures: string; only?: string[]; log?: (s: string) => void },
): Promise<CaseResult[]> {
  for (const s of [berth, peer]) if (!existsSync(s.work)) mkdirSync(s.work, { recursive: true });
  const cleanup: Case = { id: 'cleanup', sh: CLEANUP };
  const both = (c: Case) =>
    Promise.all([runSnippet(c, berth, o.prefix, o.fixtures), runSnippet(c, peer, o.prefix, o.fixtures)]);
  await both(cleanup);
  const results: CaseResult[] = [];
  try {
    for (const c of CASES) {
      if (o.only && !o.only.includes(c.id)) continue;
      // the two sides at once: their engines, registries, subnets and directories are their own
      const [b, p] = await both(c);
      const nb = { code: b.code, out: normalize(b.out, berth) };
      const np = { code: p.code, out: normalize(p.out, peer) };
      const same = nb.code === np.code && nb.out === np.out;
      results.push({ id: c.id, same, berth: nb, peer: np });
      o.log?.(`${same ? 'same' : 'DIFF'} ${c.id}`);
    }
  } finally {
    await both(cleanup);
  }
  return results;
}

/** The report: counts, then each difference with both outputs. */
export function report(results: CaseResult[]): string {
  const diff = results.filter((r) => !r.same);
  const lines = [`${results.length - diff.length} of ${results.length} commands give the same output and status`];
  for (const r of diff) {
    lines.push('', `--- ${r.id}`);
    lines.push(
      `berth (exit ${r.berth.code}):`,
      ...r.berth.out
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
    lines.push(
      `dockerd (exit ${r.peer.code}):`,
      ...r.peer.out
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return lines.join('\n') + '\n';
}

export const workDir = (base: string, side: string) => join(base, side);
