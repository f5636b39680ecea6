/**
 * The TypeScript side of native/PROTOCOL.md: spawn `berth-monitor create`,
 * send control commands, attach to a container's streams, and read the
 * monitor's state file.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { monitorPath } from '../native.js';
import { pidAlive } from '../store/scratch.js';
import { SHARED } from '../shared-constants.js';

export interface CreateOptions {
  bundle: string;
  stateDir: string;
  id: string;
  logPath?: string | undefined;
  logMaxSize?: number | undefined;
  logMaxFile?: number | undefined;
  stdin?: boolean;
  restart?: string;
  exitCommand?: string[] | undefined;
  /** network.json: the interfaces and published ports the monitor sets up (network/net-spec.ts) */
  network?: string | null | undefined;
}

export interface MonitorState {
  status: 'created' | 'running' | 'restarting' | 'exited';
  pid: number;
  /** Start time of pid (field 22 of its /proc stat): which process the pid is (absent from older monitors). */
  pidStartTime?: number;
  monitorPid: number;
  monitorStartTime: number;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  oomKilled: boolean;
  restartCount: number;
  stoppedByUser: boolean;
  error: string;
  /** The monitor process is alive (same pid and start time). */
  monitorAlive: boolean;
}

export class ExecError extends BerthError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super('RUNTIME', message);
  }
}

function run(args: string[], timeoutMs = 30_000): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(monitorPath(), args, { timeout: timeoutMs }, (err, _stdout, stderr) => {
      const code = err ? (((err as { code?: unknown }).code as number) ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stderr: String(stderr) });
    });
  });
}

/** argv of `berth-monitor create` (the native launcher's plans hold it too). */
export function createArgs(o: CreateOptions): string[] {
  const args = ['create', '--bundle', o.bundle, '--state', o.stateDir, '--id', o.id];
  if (o.logPath) args.push('--log', o.logPath);
  if (o.logMaxSize) args.push('--log-max-size', String(o.logMaxSize));
  if (o.logMaxFile) args.push('--log-max-file', String(o.logMaxFile));
  if (o.stdin) args.push('--stdin');
  if (o.restart) args.push('--restart', o.restart);
  if (o.network) args.push('--network', o.network);
  if (o.exitCommand?.length) {
    args.push('--exit-command', o.exitCommand[0]!);
    for (const a of o.exitCommand.slice(1)) args.push('--exit-arg', a);
  }
  return args;
}

/** Create the container (namespaces, root file system) under a new monitor; it waits for `start`. */
export async function monitorCreate(o: CreateOptions): Promise<void> {
  const r = await run(createArgs(o));
  if (r.code !== 0) {
    const msg =
      r.stderr
        .trim()
        .split('\n')
        .pop()
        ?.replace(/^berth-monitor: /, '') || 'the container could not be created';
    throw new BerthError('RUNTIME', msg);
  }
}

/** One control command; resolves to the reply line after "ok". */
export function monitorCommand(stateDir: string, line: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(join(stateDir, SHARED.monitor.controlSocket));
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new BerthError('RUNTIME', `the container monitor did not answer "${line}"`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(line + '\n'));
    sock.on('data', (d) => (buf += d.toString()));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(new BerthError('WRONG_STATE', 'the container is not running (its monitor is gone)', { cause: e }));
    });
    sock.on('close', () => {
      clearTimeout(timer);
      const reply = buf.split('\n')[0] ?? '';
      if (reply === 'ok' || reply.startsWith('ok ')) return resolve(reply.slice(3));
      const m = /^error (\d+) (.*)$/.exec(reply);
      if (m) return reject(new ExecError(m[2]!, Number(m[1])));
      reject(new BerthError('RUNTIME', reply.replace(/^error /, '') || 'the container monitor closed the connection'));
    });
  });
}

/** Release the created container to exec; returns its pid. Exec failures throw ExecError (127, 126, 125). */
export async function monitorStart(stateDir: string): Promise<number> {
  return Number(await monitorCommand(stateDir, 'start'));
}

export const monitorKill = (stateDir: string, signal: number) =>
  monitorCommand(stateDir, `kill ${signal}`).then(() => undefined);
export const monitorStop = (stateDir: string, signal: number, timeoutSec: number) =>
  monitorCommand(stateDir, `stop ${signal} ${timeoutSec}`).then(() => undefined);
export const monitorNoRestart = (stateDir: string) => monitorCommand(stateDir, 'norestart').then(() => undefined);
export const monitorPolicy = (stateDir: string, policy: string) =>
  monitorCommand(stateDir, `policy ${policy}`).then(() => undefined);

/** Field 22 of /proc/<pid>/stat; 0 when the process is gone or a zombie. */
export function procStartTime(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return f[0] === 'Z' || f[0] === 'X' ? 0 : Number(f[19]);
  } catch {
    return 0;
  }
}

export function readMonitorState(stateDir: string): MonitorState | null {
  const read = (): Omit<MonitorState, 'monitorAlive'> | null => {
    try {
      return JSON.parse(readFileSync(join(stateDir, SHARED.monitor.stateFile), 'utf8'));
    } catch {
      return null;
    }
  };
  const aliveOf = (r: Omit<MonitorState, 'monitorAlive'>) =>
    pidAlive(r.monitorPid) && procStartTime(r.monitorPid) === r.monitorStartTime;
  const raw = read();
  if (!raw) return null;
  if (aliveOf(raw)) return { ...raw, monitorAlive: true };
  // gone: what it wrote last is read again, for it may have written its end (and exited) between the first
  // read and the look at its process; read once, a run that had just ended looked like a killed monitor (137)
  const last = read() ?? raw;
  return { ...last, monitorAlive: aliveOf(last) };
}

/**
 * Wait until the monitor of stateDir has exited: after the container's last
 * exit it still runs the exit command (which records the exit and removes
 * --rm containers). Resolves false if it is still there after ms.
 */
export async function monitorGone(stateDir: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let step = 5; ; step = Math.min(step * 2, 50)) {
    if (!readMonitorState(stateDir)?.monitorAlive) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, step));
  }
}

// ---- attach ------------------------------------------------------------------

export const FRAME = SHARED.attachFrame;
const STDIN_FRAME_MAX = 64 * 1024;

function frame(type: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = type;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

export interface ExitInfo {
  exitCode: number;
  oomKilled: boolean;
}

export interface AttachSession {
  /** Output chunks as they come: stream 1 stdout, 2 stderr. */
  onData(fn: (stream: 1 | 2, data: Buffer) => void): void;
  write(data: Buffer | string): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
  /** Resolves with the exit when the container exits for good; null if the connection ended first. */
  exited: Promise<ExitInfo | null>;
  close(): void;
}

export interface AttachWant {
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** This client removes the container after its exit (so the monitor need not run its exit command). */
  cleanup?: boolean;
  /** Record docker's `attach` event for this attachment (API clients attach in a request of their own). */
  event?: boolean;
}

/** Attach to a container's streams (before `start`, to see all output). */
export function monitorAttach(stateDir: string, want: AttachWant): Promise<AttachSession> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect(join(stateDir, SHARED.monitor.controlSocket));
    const listeners: ((s: 1 | 2, d: Buffer) => void)[] = [];
    let pending: Buffer = Buffer.alloc(0);
    let exitInfo: ExitInfo | null = null;
    let resolveExit!: (e: ExitInfo | null) => void;
    const exited = new Promise<ExitInfo | null>((r) => (resolveExit = r));
    sock.on('error', (e) =>
      reject(new BerthError('WRONG_STATE', 'cannot attach: the container is not running', { cause: e })),
    );
    // output that arrives before anyone listens is kept for the first listener
    let early: [1 | 2, Buffer][] | null = [];
    const session: AttachSession = {
      onData: (fn) => {
        listeners.push(fn);
        if (early) for (const [st, d] of early) fn(st, d);
        early = null;
      },
      write: (d) => {
        const b = Buffer.isBuffer(d) ? d : Buffer.from(d);
        // the monitor drops a client announcing a frame over 1 MiB (PROTOCOL.md)
        for (let o = 0; o < b.length && !sock.destroyed; o += STDIN_FRAME_MAX)
          sock.write(frame(FRAME.stdin, b.subarray(o, o + STDIN_FRAME_MAX)));
      },
      closeStdin: () => {
        if (!sock.destroyed) sock.write(frame(FRAME.closeStdin, Buffer.alloc(0)));
      },
      resize: (rows, cols) => {
        const p = Buffer.alloc(4);
        p.writeUInt16BE(Math.max(1, rows), 0);
        p.writeUInt16BE(Math.max(1, cols), 2);
        if (!sock.destroyed) sock.write(frame(FRAME.resize, p));
      },
      exited,
      close: () => sock.destroy(),
    };
    let acknowledged = false;
    sock.on('connect', () => {
      const streams = [
        want.stdin && 'stdin',
        want.stdout !== false && 'stdout',
        want.stderr !== false && 'stderr',
        want.cleanup && 'cleanup',
      ].filter(Boolean);
      sock.write(`attach ${streams.join(',') || 'none'}\n`);
    });
    sock.on('data', (d: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      while (pending.length >= 8) {
        const len = pending.readUInt32BE(4);
        if (pending.length < 8 + len) break;
        const type = pending[0]!;
        const payload = pending.subarray(8, 8 + len);
        pending = pending.subarray(8 + len);
        if (type === FRAME.stdout || type === FRAME.stderr) {
          const stream = type === FRAME.stdout ? 1 : 2;
          if (early) early.push([stream, Buffer.from(payload)]);
          else for (const fn of listeners) fn(stream, payload);
        } else if (type === FRAME.exit) exitInfo = JSON.parse(payload.toString()) as ExitInfo;
        else if (type === FRAME.attached && !acknowledged) {
          acknowledged = true;
          resolve(session);
        }
      }
    });
    sock.on('close', () => {
      resolveExit(exitInfo);
      if (!acknowledged)
        reject(new BerthError('WRONG_STATE', 'cannot attach: the container monitor closed the connection'));
    });
  });
}

/** argv for `berth-monitor exec` (the CLI runs it with the user's terminal). */
export function execArgs(o: {
  pid: number;
  /** the pid's start time: exec refuses a pid that went to another process */
  pidStart?: number | undefined;
  cgroup: string;
  bundle: string;
  tty?: boolean;
  detach?: boolean;
  env?: string[];
  cwd?: string | undefined;
  user?: string | undefined;
  privileged?: boolean;
  winsizeFile?: string | undefined;
  cmd: string[];
}): string[] {
  const a = ['exec', '--pid', String(o.pid), '--cgroup', o.cgroup, '--bundle', o.bundle];
  if (o.pidStart) a.push('--pid-start', String(o.pidStart));
  if (o.tty) a.push('--tty');
  if (o.detach) a.push('--detach');
  for (const e of o.env ?? []) a.push('--env', e);
  if (o.cwd) a.push('--cwd', o.cwd);
  if (o.user) a.push('--user', o.user);
  if (o.privileged) a.push('--privileged');
  if (o.tty && o.winsizeFile) a.push('--winsize-file', o.winsizeFile);
  return [...a, '--', ...o.cmd];
}
