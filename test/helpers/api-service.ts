/** A real `berth system service` on a temporary root, for the API tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, type TempRoot } from './env.js';

export interface ApiService {
  sock: string;
  /** DOCKER_HOST for the docker CLI. */
  host: string;
  proc: ChildProcess;
  /** What the service wrote on stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

export async function startApiService(
  t: Pick<TempRoot, 'root' | 'runroot'>,
  opts: { args?: string[]; env?: NodeJS.ProcessEnv; sock?: string } = {},
): Promise<ApiService> {
  const sock = opts.sock ?? join(t.runroot, 'docker.sock');
  const proc = spawn(
    process.execPath,
    [
      CLI,
      '--root',
      t.root,
      '--runroot',
      t.runroot,
      'system',
      'service',
      '--time',
      '0',
      ...(opts.args ?? []),
      `unix://${sock}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...opts.env } },
  );
  let log = '';
  proc.stderr!.on('data', (d) => (log += d));
  for (let i = 0; i < 300 && !existsSync(sock); i++) {
    if (proc.exitCode !== null) throw new Error(`the service exited: ${log}`);
    await sleep(20);
  }
  if (!existsSync(sock)) throw new Error(`the service did not listen: ${log}`);
  return {
    sock,
    host: `unix://${sock}`,
    proc,
    log: () => log,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}
