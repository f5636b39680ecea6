/** `berth system service` processes started with any arguments, and raw requests to them, for the service's own rules. */
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type RequestOptions } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, type TempRoot } from './env.js';

export interface ServiceProc {
  proc: ChildProcess;
  log(): string;
  /** Wait (at most `ms`) until stderr matches; the match, or null. */
  waitLog(re: RegExp, ms?: number): Promise<RegExpMatchArray | null>;
  /** Wait (at most `ms`) for the process to exit; its exit code, or null while it still runs. */
  exited(ms: number): Promise<number | null>;
  stop(): Promise<void>;
}

/** `berth system service ARGS` on the temp root; `cmd` wraps it (e.g. systemd-socket-activate). */
export function spawnService(
  t: Pick<TempRoot, 'root' | 'runroot'>,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; wrap?: string[] } = {},
): ServiceProc {
  const argv = [process.execPath, CLI, '--root', t.root, '--runroot', t.runroot, 'system', 'service', ...args];
  const [cmd, ...rest] = [...(opts.wrap ?? []), ...argv];
  const proc = spawn(cmd!, rest, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...opts.env } });
  let log = '';
  proc.stderr!.on('data', (d) => (log += d));
  const exited = (ms: number) =>
    proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve(proc.exitCode ?? -1)
      : Promise.race([new Promise<number>((r) => proc.once('exit', (c) => r(c ?? -1))), sleep(ms).then(() => null)]);
  return {
    proc,
    log: () => log,
    async waitLog(re, ms = 10_000) {
      for (let i = 0; i < ms / 20; i++) {
        const m = log.match(re);
        if (m) return m;
        if (proc.exitCode !== null) return log.match(re);
        await sleep(20);
      }
      return null;
    },
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      if ((await exited(10_000)) === null) proc.kill('SIGKILL');
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request: status, headers and body; `body` may be a Buffer or chunks written one after the other. */
export function call(
  target: RequestOptions,
  method: string,
  path: string,
  opts: { headers?: Record<string, string | number>; body?: Buffer | string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ ...target, method, path, headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A JSON body as a request's options. */
export const json = (v: unknown) => ({
  headers: { 'Content-Type': 'application/json' },
  body: typeof v === 'string' ? v : JSON.stringify(v),
});
