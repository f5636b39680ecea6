/**
 * The app's first connections to an ssh host, opened before the app's code
 * loads (cli/main.ts calls startEarly first): when an earlier session kept
 * its link (ssh-master.ts) and the link's master forwards the engine's
 * socket (ssh-forward.ts), the channels' round trip overlaps Node loading
 * the app, and the dialer (ssh-dialer.ts) takes them for its first
 * requests. Only for a host given by -H/--host or DOCKER_HOST (a context is
 * read by the app); anything else, or a host with no kept link, starts
 * nothing. The app's bundle has its own copy of this module: the
 * connections are handed over through a process-wide symbol.
 */
import { existsSync } from 'node:fs';
import { parseHost } from './endpoint.js';
import { openForward, type Opened } from './ssh-forward.js';
import { forwardPath, keptControl, recallEngine } from './ssh-master.js';

const KEY = Symbol.for('berth.early-link');
/** As many as the dialer opens ahead (its first frame's ping and lists). */
const EARLY = 4;

type Slot = { local: string; opened: Opened[] };
const slot = globalThis as unknown as Record<symbol, Slot | undefined>;

/** The host the app will open when it is an ssh:// one given by -H/--host or DOCKER_HOST, else null. */
export function earlyHost(argv: string[], env: NodeJS.ProcessEnv = process.env): string | null {
  let host: string | undefined;
  let other = false;
  for (let i = 0; i < argv.length; i++) {
    const m = /^(?:--(root|runroot|host|context)|-([Hc]))(?:=?(.+))?$/.exec(argv[i]!);
    if (!m) continue;
    const key = m[1] ?? (m[2] === 'H' ? 'host' : 'context');
    const v = m[3] ?? argv[++i];
    if (key === 'host') host = v;
    else other = true;
  }
  // --context, or --root/--runroot without a host, is not DOCKER_HOST's
  const spec = host ?? (other ? undefined : env.DOCKER_HOST);
  return spec?.trim().startsWith('ssh://') ? spec : null;
}

/** Open the first connections to the kept link's forward for the app's host, if there is one; its path or ''. */
export function startEarly(argv: string[], env: NodeJS.ProcessEnv = process.env): string {
  try {
    const spec = earlyHost(argv, env);
    if (!spec) return '';
    const ep = parseHost(spec);
    if (ep.kind !== 'ssh') return '';
    const control = keptControl(env.BERTH_SSH || 'ssh', ep, env);
    const socket = control && existsSync(control) ? recallEngine(control)?.socket : undefined;
    if (!socket) return '';
    const local = forwardPath(control, socket);
    if (!existsSync(local)) return '';
    const opened = Array.from({ length: EARLY }, () => openForward(local));
    // they do not hold the process up until the dialer takes them
    for (const o of opened) o.sock.unref();
    slot[KEY] = { local, opened };
    return local;
  } catch {
    return ''; // the app says what is wrong with the host
  }
}

/** The connections opened early to `local` (once; none when they were to another one, which are closed). */
export function takeEarly(local: string): Opened[] {
  const s = slot[KEY];
  if (!s) return [];
  slot[KEY] = undefined;
  if (s.local === local) return s.opened;
  for (const o of s.opened) o.sock.destroy();
  return [];
}
