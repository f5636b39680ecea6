/**
 * vitest global setup: make the real peer engines available to interop tests
 * (DESIGN.md section 6). Starts ../shared/peers/peers.sh unless the caller
 * already did (PEER_DOCKER_HOST set). When they cannot be started, tests that
 * need them print why they skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  if (process.env.PEER_DOCKER_HOST) return;
  const script = resolve(fileURLToPath(new URL('../../..', import.meta.url)), 'shared', 'peers', 'peers.sh');
  if (!existsSync(script)) {
    process.env.PEERS_UNAVAILABLE = `${script} not found`;
    return;
  }
  if (process.getuid?.() !== 0) {
    process.env.PEERS_UNAVAILABLE = 'starting the peer engines needs root';
    return;
  }
  try {
    const out = execFileSync(script, ['start'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    });
    for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) process.env[m[1]!] = m[2]!;
  } catch (e) {
    process.env.PEERS_UNAVAILABLE = `peers.sh start failed: ${(e as Error).message.split('\n')[0]}`;
  }
}
