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
 * channel (ssh's ControlMaster, its control socket in the same private
 * directory), so a connection costs a round trip, not a handshake and a
 * login. sshd allows 10 sessions on one link (MaxSessions): a link
 * carries at most 8 of the dialer's connections, and the next ones open
 * another. A master stays 30 s after its last channel, and is told to exit
 * when the dialer closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** The ssh command line (the docker CLI's connhelper's, with the podman fallback); `control`: the ControlPath to share. */
export function sshArgs(t: SshTarget, remote: string[] = [DIAL], control = ''): string[] {
  return [
    ...(control ? ['-o', 'ControlMaster=auto', '-o', `ControlPath=${control}`, '-o', 'ControlPersist=30'] : []),
    '-o',
    'ConnectTimeout=30',
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=2',
    '-T',
    ...(t.user ? ['-l', t.user] : []),
    ...(t.port ? ['-p', String(t.port)] : []),
    '--',
    t.host,
    ...remote,
  ];
}

/** Connections one shared ssh link carries at most (sshd's MaxSessions is 10 by default). */
const PER_LINK = 8;

export class SshDialer {
  /** Live connections on each shared link (by its control socket's number). */
  private readonly perLink: number[] = [];
  private server: Server | null = null;
  private dir = '';
  private readonly children = new Set<ChildProcess>();
  private stderrTail = '';

  constructor(
    private readonly target: SshTarget,
    private readonly program = process.env.BERTH_SSH || 'ssh',
  ) {}

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
    const path = join(this.dir, 'dial.sock');
    this.server = createServer((sock) => this.dial(sock));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(path, () => resolve());
    });
    return path;
  }

  private dial(sock: Socket): void {
    let link = this.perLink.findIndex((n) => n < PER_LINK);
    if (link < 0) link = this.perLink.push(0) - 1;
    this.perLink[link]!++;
    const child = spawn(this.program, sshArgs(this.target, [DIAL], this.control(link)), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.children.add(child);
    let counted = true;
    const uncount = () => {
      if (counted) this.perLink[link]!--;
      counted = false;
    };
    child.on('exit', uncount);
    child.on('error', uncount);
    child.stderr!.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-2000);
    });
    const end = () => {
      sock.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    child.on('error', (e) => {
      this.stderrTail += `\n${this.program}: ${e.message}`;
      end();
    });
    child.on('exit', () => {
      this.children.delete(child);
      end();
    });
    sock.on('error', end);
    sock.on('close', end);
    child.stdout!.on('error', end);
    child.stdin!.on('error', end);
    sock.pipe(child.stdin!);
    child.stdout!.pipe(sock);
  }

  private control(link: number): string {
    return this.dir ? join(this.dir, `cm${link}`) : '';
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
    for (const c of this.children) c.kill('SIGTERM');
    this.children.clear();
    // the shared links' masters (in the background since the first ssh of each): they go now
    await Promise.all(this.perLink.map((_, i) => this.stopMaster(this.control(i))));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
