/**
 * Where an ssh link's master (ssh's ControlMaster) lives, so that a second
 * berth on the same host finds the first one's link and starts without a
 * handshake (some 8 round trips) and a login:
 *
 *   - the user's ssh config names a ControlPath for the host (`ssh -G`):
 *     theirs it is, with their ControlMaster and ControlPersist; berth adds
 *     no control option of its own;
 *   - BERTH_SSH_PERSIST=0: no link outlives the session (each session's
 *     masters in its own private directory, gone when it closes);
 *   - otherwise the first link's socket is in a directory of the user's,
 *     0700 and owned by them ($XDG_RUNTIME_DIR/berth-ssh-UID, else
 *     /tmp/berth-ssh-UID; one that is not so is not used, and the link is the
 *     session's), its master staying 10 minutes after its last channel.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How long a kept link's master stays after its last channel, s. */
export const PERSIST_SECONDS = 600;

/** The host as ssh is given it (ssh-dialer's SshTarget). */
interface SshTarget {
  user: string;
  host: string;
  port: number | null;
}

export interface ControlPlan {
  /** 'user': their ControlPath; 'persist': the first link kept for the next session; 'session': none kept. */
  mode: 'user' | 'persist' | 'session';
  /** The kept link's control socket ('persist'), else ''. */
  shared: string;
}

/** The ControlPath the user's ssh config gives this host, or '' (ssh -G prints none when there is none). */
export function userControlPath(program: string, t: SshTarget): Promise<string> {
  const args = ['-G', ...(t.user ? ['-l', t.user] : []), ...(t.port ? ['-p', String(t.port)] : []), '--', t.host];
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 5_000, encoding: 'utf8' }, (err, out) => {
      if (err) return resolve(''); // an ssh that cannot say: the link itself will say what is wrong
      const m = /^controlpath (.+)$/m.exec(out);
      resolve(m && m[1]!.trim() !== 'none' ? m[1]!.trim() : '');
    });
  });
}

/** The user's private directory for kept links: made 0700, or null when it is not theirs alone. */
export function persistDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const uid = process.getuid?.() ?? 0;
  const runtime = env.XDG_RUNTIME_DIR && existsSync(env.XDG_RUNTIME_DIR) ? env.XDG_RUNTIME_DIR : tmpdir();
  const dir = join(runtime, `berth-ssh-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return null;
  }
  try {
    // not a symlink, the user's, and nobody else's to read or write (another user could have made it first)
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0 ? dir : null;
  } catch {
    return null;
  }
}

export async function controlPlan(program: string, t: SshTarget, env = process.env): Promise<ControlPlan> {
  if (await userControlPath(program, t)) return { mode: 'user', shared: '' };
  if (env.BERTH_SSH_PERSIST === '0') return { mode: 'session', shared: '' };
  const shared = keptControl(program, t, env);
  return shared ? { mode: 'persist', shared } : { mode: 'session', shared: '' };
}

/** The kept link's control socket for this host (whether or not it is there), or '' without a private directory. */
export function keptControl(program: string, t: SshTarget, env = process.env): string {
  const dir = persistDir(env);
  if (!dir) return '';
  // one link per ssh program (a wrapper may bring its own config), user, host and port
  const key = createHash('sha256')
    .update(`${program}\0${t.user}\0${t.host}\0${t.port ?? ''}`)
    .digest('hex');
  return join(dir, key.slice(0, 16));
}

/** Where a link's master forwards the remote engine's socket `remote` (ssh-forward.ts): one path for each. */
export const forwardPath = (control: string, remote: string): string =>
  `${control}.${createHash('sha256').update(remote).digest('hex').slice(0, 8)}.fwd`;

/**
 * The engine's API version and /version answer, as the session that made a kept link learnt them
 * (beside its socket, 0600): a session on the same link sends its first requests without waiting for a ping;
 * with them, where the engine's socket is on the remote host (the master forwards it, ssh-forward.ts).
 */
export interface KnownEngine {
  version: string;
  engine: object;
  /** The engine's socket on the remote host (ssh-forward.ts), when learnt. */
  socket?: string;
}

export function recallEngine(control: string): KnownEngine | null {
  try {
    const k = JSON.parse(readFileSync(`${control}.engine`, 'utf8')) as Record<string, unknown>;
    const socket = typeof k.socket === 'string' && /^\/[^\s:]+$/.test(k.socket) ? { socket: k.socket } : {};
    return typeof k.version === 'string' && /^\d+\.\d+$/.test(k.version) && k.engine && typeof k.engine === 'object'
      ? { version: k.version, engine: k.engine, ...socket }
      : null;
  } catch {
    return null;
  }
}

export function rememberEngine(control: string, known: KnownEngine): void {
  try {
    const tmp = `${control}.engine.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(known), { mode: 0o600 });
    renameSync(tmp, `${control}.engine`);
  } catch {
    // not kept: the next session pings first
  }
}
