/**
 * vitest global setup: make the real peer engines available to interop tests
 * (DESIGN.md section 6) with the project's own script, scripts/peers.sh, and
 * start the record of skipped tests that test/setup/skip-reporter.ts lists at
 * the end. `npm test` has already run `scripts/peers.sh ensure` (which installs
 * the Debian packages and starts the peers when run as root); this only reads
 * their variables and checks that they answer. When they cannot be had, the
 * tests that need them skip with the reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'berth-skips-'));
  process.env.BERTH_SKIP_LOG = join(dir, 'skips.jsonl');
  const teardown = () => rmSync(dir, { recursive: true, force: true });
  if (process.env.PEER_DOCKER_HOST) return teardown;
  if (process.getuid?.() !== 0) {
    process.env.PEERS_UNAVAILABLE = 'the peer engines need root';
    return teardown;
  }
  const script = join(REPO, 'scripts', 'peers.sh');
  try {
    // start is idempotent: it returns at once when the peers already answer
    const out = execFileSync(script, ['start'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    });
    for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) process.env[m[1]!] = m[2]!;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    process.env.PEERS_UNAVAILABLE = `scripts/peers.sh start failed: ${(err.stderr || err.message).trim().split('\n').pop()}`;
  }
  return teardown;
}
