/**
 * ssh://[USER@]HOST[:PORT] as the docker CLI reaches it: each connection
 * is `ssh [-l USER] [-p PORT] -- HOST docker system dial-stdio`, the
 * remote docker CLI relaying its stdin and stdout to the engine's socket
 * (`podman system dial-stdio` where the host has no docker command).
 * The user's ssh setup supplies keys, agent and known hosts; no port is
 * opened on either side. The HTTP client reaches the dialer through a unix
 * socket in a private directory of this process (0700), one ssh per
 * connection it makes there; when an ssh ends, its connection ends, so a
 * dropped link fails the requests on it instead of hanging them.
 *
 * Unlike the docker CLI (a command makes a connection or two), the app
 * holds a connection per follow (logs, events, each running container's
 * stats): each ssh after the first rides the first one's link as a new
 * channel (ssh's ControlMaster), so a connection costs a round trip, not a
 * handshake and a login. Until a link's master is up, no other ssh is
 * started for it (each would make a handshake of its own); once it is, a
 * few channels are opened ahead (spares), so the first frame's requests,
 * made at once, do not each wait for a channel. sshd allows 10 sessions on
 * one link (MaxSessions): a link carries at most 8 of the dialer's
 * connections, and the next ones open another.
 *
 * The first link is kept for the next session (ssh-master.ts: ControlPersist
 * of 10 minutes, its socket in a private 0700 directory of the user's), so
 * a second berth on the same host starts without a handshake; it carries
 * at most 4 connections of a session, so two sessions fit on it. The other
 * links are this session's: they stay 30 s after their last channel and are
 * told to exit when the dialer closes. A user's own ControlPath (ssh -G) is
 * left to their ssh config; BERTH_SSH_PERSIST=0 keeps no link after a session.
 *
 * Once the engine's socket on the remote host is known (asked once, then
 * remembered with the API version), the first link's master forwards it
 * (ssh-forward.ts) and connections go through that forward: a channel each,
 * no ssh here and no dial-stdio there; dial-stdio stays the way in until
 * then, and for a connection the forward fails. With the socket known and no
 * master, the first ssh is the master alone (-N), its forward the way in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeEarly } from './early-link.js';
import { EngineForward } from './ssh-forward.js';
import {
  controlPlan,
  PERSIST_SECONDS,
  recallEngine,
  rememberEngine,
  type ControlPlan,
  type KnownEngine,
} from './ssh-master.js';

export interface SshTarget {
  user: string;
  host: string;
  port: number | null;
}

/**
 * What runs on the remote host: docker's `docker system dial-stdio`, or where there is no docker
 * command, podman's (which relays to the podman service's socket, as podman's own remote client does).
 * The remote user's shell reads it as the docker CLI's command line would be read.
 */
export const DIAL =
  'if command -v docker >/dev/null 2>&1; then exec docker system dial-stdio; else exec podman system dial-stdio; fi';

/**
 * The ssh command line (the docker CLI's connhelper's, with the podman fallback); `control`: the
 * ControlPath to share, its master staying `persist` seconds after its last channel.
 */
export function sshArgs(t: SshTarget, remote: string[] = [DIAL], control = '', persist = 30): string[] {
  return [
    ...(control ? ['-o', 'ControlMaster=auto', '-o', `ControlPath=${control}`, '-o', `ControlPersist=${persist}`] : []),
    // the API's JSON (each container's stats above all) is very repetitive: a fraction of it on the link
    '-o',
    'Compression=yes',
    '-o',
    'ConnectTimeout=30',
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=2',
    '-T',
    // no remote command: a master alone (with ControlPersist it goes to the background once it is up)
    ...(remote.length ? [] : ['-N']),
    ...(t.user ? ['-l', t.user] : []),
    ...(t.port ? ['-p', String(t.port)] : []),
    '--',
    t.host,
    ...remote,
  ];
}

/** Connections one link carries at most (sshd's MaxSessions is 10 by default); the kept link, of one session. */
const PER_LINK = 8;
const PER_KEPT_LINK = 4;
/** Channels opened ahead on the first link once its master is up (the first frame's requests); unused ones go after 30 s. */
const SPARES = 3;
const SPARE_MS = 30_000;

export class SshDialer {
  /** Live connections on each link (by its number). */
  private readonly perLink: number[] = [];
  /** Each link's master is up (its control socket is there), or its first ssh ended. */
  private readonly up: (Promise<void> | undefined)[] = [];
  private readonly spares: { child: ChildProcess; link: number }[] = [];
  private plan: ControlPlan = { mode: 'session', shared: '' };
  private server: Server | null = null;
  private dir = '';
  private closed = false;
  private readonly children = new Set<ChildProcess>();
  /** The HTTP client's connections (one waiting for its link's master is ended by close()). */
  private readonly sockets = new Set<Socket>();
  private stderrTail = '';
  /** The master's forward of the engine's socket (ssh-forward.ts), once known. */
  private readonly forward: EngineForward;
  private known: KnownEngine | null = null;

  constructor(
    private readonly target: SshTarget,
    private readonly program = process.env.BERTH_SSH || 'ssh',
  ) {
    this.forward = new EngineForward(
      program,
      target,
      () => this.control(0),
      () => this.keep(),
      takeEarly,
    );
  }

  /** What ssh last said on stderr (its one-line reason when the link fails). */
  lastError(): string {
    return (
      this.stderrTail
        .trim()
        .split('\n')
        .filter((l) => l.trim())
        .pop() ?? ''
    );
  }

  async listen(): Promise<string> {
    this.dir = mkdtempSync(join(tmpdir(), 'berth-ssh-'));
    this.plan = await controlPlan(this.program, this.target);
    if (this.plan.mode === 'persist') {
      this.known = recallEngine(this.plan.shared);
      this.forward.remote = this.known?.socket ?? '';
      // a master an earlier session kept: the forward it has (or is given now) carries the first requests
      if (existsSync(this.plan.shared)) this.forward.start();
    }
    const path = join(this.dir, 'dial.sock');
    this.server = createServer((sock) => this.dial(sock));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(path, () => resolve());
    });
    return path;
  }

  /** What the connection learnt of the engine over the kept link when it was made (null: none, or no link kept). */
  recall(): KnownEngine | null {
    return this.plan.mode === 'persist' && existsSync(this.plan.shared) ? this.known : null;
  }

  remember(known: KnownEngine): void {
    this.known = { version: known.version, engine: known.engine };
    this.keep();
  }

  /** What is known of the engine, kept beside the kept link's socket for the next session. */
  private keep(): void {
    if (this.plan.mode !== 'persist' || !this.known) return;
    const socket = this.forward.remote;
    const { version, engine } = this.known;
    rememberEngine(this.plan.shared, { version, engine, ...(socket ? { socket } : {}) });
  }

  /** How the dialer shares links: the user's ControlPath, a kept first link, or the session's only. */
  get controlMode(): ControlPlan['mode'] {
    return this.plan.mode;
  }

  private limit(link: number): number {
    return link === 0 && this.plan.mode === 'persist' ? PER_KEPT_LINK : PER_LINK;
  }

  private dial(sock: Socket): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    if (this.forward.ready) return void this.forward.ready.then((ok) => this.through(sock, ok));
    this.viaSsh(sock);
  }

  /** Through the forward (`ok`: it is there), or dial-stdio when it is not or fails before the engine answers. */
  private through(sock: Socket, ok: boolean): void {
    if (sock.destroyed || this.closed) return void sock.destroy();
    if (!ok) return this.viaSsh(sock);
    this.forward.carry(sock, (held) => this.viaSsh(sock, held));
  }

  /** A connection through `docker system dial-stdio` (`held`: what it sent to a forward that failed). */
  private viaSsh(sock: Socket, held: Buffer[] = []): void {
    if (sock.destroyed || this.closed) return void sock.destroy();
    const spare = this.spares.shift();
    if (spare) return this.wire(sock, spare.child, held);
    let link = this.perLink.findIndex((n, i) => n < this.limit(i));
    if (link < 0) link = this.perLink.push(0) - 1;
    this.perLink[link]!++;
    // the first ssh of a link makes its master; the others wait for it rather than each making a link
    if (this.up[link] === undefined && link === 0 && this.forward.remote && this.control(0) && !held.length) {
      // the engine's socket is known: the master alone, then its forward (no exec's reply, no docker CLI to wait for)
      this.perLink[link]!++;
      void this.masterUp(link, this.spawn(link, []));
    }
    if (this.up[link] === undefined) {
      const child = this.spawn(link);
      void this.masterUp(link, child);
      return this.wire(sock, child, held);
    }
    void this.masterUp(link).then(async () => {
      if (sock.destroyed || this.closed) return void (this.perLink[link]!--, sock.destroy());
      // the master is up: its forward, when there is one, rather than another ssh
      if (this.forward.ready && !held.length && (await this.forward.ready))
        return void (this.perLink[link]!--, this.through(sock, true));
      this.wire(sock, this.spawn(link), held);
    });
  }

  /** An ssh for a new connection on `link`, counted on it until it ends. */
  private spawn(link: number, remote = [DIAL]): ChildProcess {
    const control = this.control(link);
    const persist = link === 0 && this.plan.mode === 'persist' ? PERSIST_SECONDS : 30;
    const child = spawn(this.program, sshArgs(this.target, remote, control, persist), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.children.add(child);
    let counted = true;
    const uncount = () => {
      if (counted) this.perLink[link]!--;
      counted = false;
      this.children.delete(child);
    };
    child.on('exit', uncount);
    child.on('error', (e) => {
      this.stderrTail += `\n${this.program}: ${e.message}`;
      uncount();
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-2000);
    });
    return child;
  }

  /**
   * Resolves when `link`'s master is up: its control socket is there (at once for one a previous
   * session left), or the ssh that was to make it ended (the next one tries). Polled: ssh says nothing.
   */
  private masterUp(link: number, maker?: ChildProcess): Promise<void> {
    const control = this.control(link);
    if (!control) return Promise.resolve();
    this.up[link] ??= new Promise<void>((resolve) => {
      if (existsSync(control)) return resolve();
      const started = Date.now();
      const look = () => {
        const ended = !maker || maker.exitCode !== null || maker.signalCode !== null;
        if (this.closed || existsSync(control) || ended || Date.now() - started > 60_000) {
          if (!existsSync(control)) this.up[link] = undefined; // the next dial makes the master again
          return resolve();
        }
        setTimeout(look, 25);
      };
      setTimeout(look, 25);
    }).then(() => {
      // the first frame's requests come at once: channels ready for them on the first link (the
      // forward's when the engine's socket is known, else dial-stdio's while it is asked)
      if (link !== 0 || this.plan.mode === 'user' || this.closed || !existsSync(control)) return;
      this.forward.start();
      if (!this.forward.ready) this.openSpares();
      this.forward.learn();
    });
    return this.up[link]!;
  }

  private openSpares(): void {
    for (let i = 0; i < SPARES && this.perLink[0]! < this.limit(0); i++) {
      this.perLink[0]!++;
      const child = this.spawn(0);
      const entry = { child, link: 0 };
      this.spares.push(entry);
      const drop = () => {
        const at = this.spares.indexOf(entry);
        if (at >= 0) this.spares.splice(at, 1);
      };
      child.on('exit', drop);
      setTimeout(() => {
        if (this.spares.includes(entry)) (drop(), child.kill('SIGTERM'));
      }, SPARE_MS).unref?.();
    }
  }

  /** The connection and its ssh, each ending the other. */
  private wire(sock: Socket, child: ChildProcess, held: Buffer[] = []): void {
    const end = () => {
      sock.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    if (child.exitCode !== null || child.signalCode !== null) return end();
    child.on('error', end);
    child.on('exit', end);
    sock.on('error', end);
    sock.on('close', end);
    child.stdout!.on('error', end);
    child.stdin!.on('error', end);
    for (const b of held) child.stdin!.write(b);
    sock.pipe(child.stdin!);
    child.stdout!.pipe(sock);
  }

  private control(link: number): string {
    if (this.plan.mode === 'user' || !this.dir) return '';
    return link === 0 && this.plan.mode === 'persist' ? this.plan.shared : join(this.dir, `cm${link}`);
  }

  private async stopMaster(control: string): Promise<void> {
    if (!control || !existsSync(control)) return;
    const t = this.target;
    const stop = spawn(
      this.program,
      ['-o', `ControlPath=${control}`, '-O', 'exit', ...(t.user ? ['-l', t.user] : []), '--', t.host],
      { stdio: 'ignore' },
    );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => (stop.kill('SIGKILL'), resolve()), 5_000);
      stop.on('error', () => (clearTimeout(timer), resolve()));
      stop.on('exit', () => (clearTimeout(timer), resolve()));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    for (const c of this.children) c.kill('SIGTERM');
    this.children.clear();
    this.spares.length = 0;
    this.forward.close();
    // this session's links' masters (in the background since the first ssh of each) go now; a kept
    // link's stays for the next session, for as long as its ControlPersist
    const mine = this.perLink.map((_, i) => i).filter((i) => !(i === 0 && this.plan.mode === 'persist'));
    await Promise.all(mine.map((i) => this.stopMaster(this.control(i))));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
