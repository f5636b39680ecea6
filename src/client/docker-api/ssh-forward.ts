/**
 * The engine's socket on the remote host, forwarded to a local socket by a
 * link's master (`ssh -O forward -L LOCAL:REMOTE`): each connection to it
 * is a direct-streamlocal channel, sshd connecting to the engine's socket
 * itself. A connection costs the channel's round trip and no process on
 * either side, where `docker system dial-stdio` costs an ssh here, a
 * round trip more (ssh sends nothing before the exec's reply) and the
 * docker CLI's start there (0.86 s to a ping's first byte at 200 ms RTT,
 * 0.41 s through the forward).
 *
 * The remote socket is learnt once over the link (LEARN: the endpoint the
 * remote docker CLI would dial, or podman's service socket) and kept
 * beside the engine's version (ssh-master.ts); the forward lives as long as
 * the master, so the next session finds it there. Connections are opened
 * ahead (the channel's round trip then overlaps the app's start); one that
 * ends before the engine said anything hands its bytes back to the caller,
 * which sends them through dial-stdio instead.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { forwardPath } from './ssh-master.js';

/** What the remote user's shell runs to say where its engine's socket is. */
export const LEARN =
  "if command -v docker >/dev/null 2>&1; then docker context inspect --format '{{.Endpoints.docker.Host}}'; " +
  "else podman info --format 'unix://{{.Host.RemoteSocket.Path}}'; fi";

/** The socket path in LEARN's answer, or null when the engine is not on a unix socket there. */
export function socketOf(out: string): string | null {
  const m = /^unix:\/\/(\/[^\s:]+)$/.exec(out.trim().split('\n')[0]?.trim() ?? '');
  return m ? m[1]! : null;
}

interface Target {
  user: string;
  host: string;
  port: number | null;
}

const hostArgs = (t: Target) => [
  ...(t.user ? ['-l', t.user] : []),
  ...(t.port ? ['-p', String(t.port)] : []),
  '--',
  t.host,
];

function run(
  program: string,
  args: string[],
  ms: number,
  signal?: AbortSignal,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(program, args, { stdio: ['ignore', 'pipe', 'ignore'], ...(signal ? { signal } : {}) });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const timer = setTimeout(() => c.kill('SIGKILL'), ms);
    c.on('error', () => (clearTimeout(timer), resolve({ code: null, out })));
    c.on('close', (code) => (clearTimeout(timer), resolve({ code, out })));
  });
}

/** Ask the remote host where its engine's socket is, over the link whose master is at `control`. */
export async function learnSocket(
  program: string,
  t: Target,
  control: string,
  signal?: AbortSignal,
): Promise<string | null> {
  const r = await run(program, ['-o', `ControlPath=${control}`, '-T', ...hostArgs(t), LEARN], 15_000, signal);
  return r.code === 0 ? socketOf(r.out) : null;
}

/** Have the master at `control` forward `local` to `remote` (a stale `local` of a master that is gone removed first). */
export async function addForward(program: string, t: Target, control: string, local: string, remote: string) {
  rmSync(local, { force: true });
  const r = await run(
    program,
    ['-o', `ControlPath=${control}`, '-O', 'forward', '-L', `${local}:${remote}`, ...hostArgs(t)],
    5_000,
  );
  return r.code === 0 && existsSync(local);
}

/** A connection to the forward, opened ahead; `failed`: it could not be made (no listener there). */
export interface Opened {
  sock: Socket;
  failed: Promise<boolean>;
}

export function openForward(local: string): Opened {
  const sock = createConnection(local);
  const failed = new Promise<boolean>((resolve) => {
    sock.once('connect', () => resolve(false));
    sock.once('error', () => resolve(true));
  });
  // until it is handed over: an end or an error only closes it
  sock.on('error', () => undefined);
  return { sock, failed };
}

/**
 * The client's connection `sock` carried by `up` (a connection to the forward). Until the engine has
 * sent a byte, what the client sent is kept: if `up` ends first, `fallback` gets it to send again.
 */
export function relay(sock: Socket, up: Socket, fallback: (held: Buffer[]) => void): void {
  let held: Buffer[] | null = [];
  const onUp = () => {
    if (held === null) return;
    held = null; // the engine answers: nothing to send again
  };
  up.once('data', onUp);
  const fromClient = (d: Buffer) => {
    held?.push(d);
    if (!up.write(d)) sock.pause();
  };
  up.on('drain', () => sock.resume());
  sock.on('data', fromClient);
  up.on('data', (d: Buffer) => {
    if (!sock.write(d)) up.pause();
  });
  sock.on('drain', () => up.resume());
  let over = false;
  const upGone = () => {
    if (over) return;
    over = true;
    if (held !== null && !sock.destroyed) {
      const again = held;
      held = null;
      sock.off('data', fromClient);
      up.destroy();
      return fallback(again);
    }
    up.destroy();
    sock.destroy();
  };
  up.on('error', upGone);
  up.on('close', upGone);
  up.on('end', () => (held === null ? sock.end() : upGone()));
  sock.on('error', () => up.destroy());
  sock.on('close', () => up.destroy());
  sock.on('end', () => up.end());
}

/** Connections to the forward opened ahead (the first frame's ping and lists); unused ones go after 30 s. */
const AHEAD = 4;
const AHEAD_MS = 30_000;

/**
 * A link's forward of the engine's socket, for the dialer (ssh-dialer.ts): made or found once the
 * link's master is up and the engine's socket known (remembered, or learnt now); given up for the rest
 * of the session when a connection through it fails.
 */
export class EngineForward {
  /** The engine's socket on the remote host ('' until known). */
  remote = '';
  /** Resolves true once connections through the forward can be made; null until it is started. */
  ready: Promise<boolean> | null = null;
  private broken = false;
  private learning = false;
  private closed = false;
  private readonly opened: Opened[] = [];
  /** Ends the question of learn() when the dialer closes first (a short command's session). */
  private readonly abort = new AbortController();

  constructor(
    private readonly program: string,
    private readonly target: Target,
    /** The master's control socket ('' when the dialer has none of its own). */
    private readonly control: () => string,
    /** The engine's socket was learnt or found gone: what the dialer remembers changed. */
    private readonly changed: () => void,
    /** Connections opened before the dialer was there (early-link.ts), for `local`. */
    private readonly early: (local: string) => Opened[] = () => [],
  ) {}

  private local(): string {
    return forwardPath(this.control(), this.remote);
  }

  /** The forward an earlier session had the master make, else one made now (no listener on a stale path). */
  start(): void {
    const control = this.control();
    if (this.ready || this.broken || this.closed || !this.remote || !control) return;
    const local = this.local();
    this.ready = (async () => {
      const early = this.early(local);
      let first = early.shift() ?? openForward(local);
      if (await first.failed) {
        for (const e of early.splice(0)) e.sock.destroy();
        if (!(await addForward(this.program, this.target, control, local, this.remote))) return false;
        first = openForward(local);
        if (await first.failed) return false;
      }
      if (this.closed) return false;
      const all = [first, ...early];
      while (all.length < AHEAD) all.push(openForward(local));
      for (const o of all) {
        this.opened.push(o);
        o.sock.on('close', () => {
          const at = this.opened.indexOf(o);
          if (at >= 0) this.opened.splice(at, 1);
        });
        setTimeout(() => this.opened.includes(o) && o.sock.destroy(), AHEAD_MS).unref?.();
      }
      return true;
    })();
  }

  /** Where the engine's socket is, asked once over the master when not known; the forward follows. */
  learn(): void {
    if (this.remote || this.learning || this.broken || this.closed || !this.control()) return;
    this.learning = true;
    void learnSocket(this.program, this.target, this.control(), this.abort.signal).then((socket) => {
      if (!socket || this.closed || this.broken) return;
      this.remote = socket;
      this.changed();
      this.start();
    });
  }

  /** `sock` through the forward (ready); `fallback` when the forward fails before the engine answers. */
  carry(sock: Socket, fallback: (held: Buffer[]) => void): void {
    let o: Opened | undefined;
    while ((o = this.opened.shift()) && o.sock.destroyed);
    const up = o ?? openForward(this.local());
    up.sock.ref();
    void up.failed.then((failed) => {
      if (failed || this.broken) return void (up.sock.destroy(), this.broke(), fallback([]));
      relay(sock, up.sock, (held) => (this.broke(), fallback(held)));
    });
  }

  /** The forward failed (the engine's socket moved?): dial-stdio for the rest of the session, learnt again by the next. */
  private broke(): void {
    if (this.broken) return;
    this.broken = true;
    this.ready = Promise.resolve(false);
    for (const o of this.opened.splice(0)) o.sock.destroy();
    this.remote = '';
    this.changed();
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
    for (const o of this.opened.splice(0)) o.sock.destroy();
  }
}
