/**
 * Wiring an attach session to this terminal: output to stdout/stderr, stdin
 * to the container, raw mode and resizes with a tty, the detach keys
 * (ctrl-p ctrl-q), and signals passed on to the container without one.
 * Shared by the CLI (attach, start -a, run) and the app (attach, run).
 */
import { isatty } from 'node:tty';
import type { AttachSession, Backend, ExitInfo } from './api.js';

/** The terminal streams a session is wired to (the CLI's Cli object has them). */
export interface TerminalIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/**
 * The terminal raw before the container starts, as docker does it: what the program asks of the terminal at
 * once (a shell's cursor position query) is answered into it, not echoed on the screen. pumpSession keeps it
 * raw and restores it at the end; the returned undo is for a start that fails.
 */
export function rawBeforeStart(cli: TerminalIo, on: boolean): () => void {
  const stdin = cli.stdin;
  if (!on || !stdin.isTTY) return () => undefined;
  stdin.setRawMode(true);
  return () => {
    try {
      stdin.setRawMode(false);
    } catch {
      // the terminal went away
    }
  };
}

export interface PumpOptions {
  tty: boolean;
  stdin: boolean;
  /** docker's --detach-keys, e.g. "ctrl-p,ctrl-q". */
  detachKeys?: string;
  /** Forward signals to the container (non-tty). */
  sigProxy?: boolean;
  backend: Backend;
  ref: string;
}

/** "ctrl-p,ctrl-q" -> [0x10, 0x11]. */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(',').map((k) => {
    const m = /^ctrl-([a-z@\[\\\]^_])$/i.exec(k.trim());
    if (m) return m[1]!.toLowerCase().charCodeAt(0) & 0x1f;
    if (k.length === 1) return k.charCodeAt(0);
    throw new Error(`invalid detach keys (${spec}) provided`);
  });
}

/** A terminal stream whose terminal has gone away (hung up: the file descriptor no longer answers as a tty). */
export function terminalGone(stream: { isTTY?: boolean; fd?: number }): boolean {
  return !!stream.isTTY && typeof stream.fd === 'number' && !isatty(stream.fd);
}

export type PumpResult = { kind: 'exited'; exit: ExitInfo } | { kind: 'detached' } | { kind: 'lost' };

export async function pumpSession(cli: TerminalIo, s: AttachSession, o: PumpOptions): Promise<PumpResult> {
  s.onData((stream, data) => (stream === 2 && !o.tty ? cli.stderr : cli.stdout).write(data));
  const stdin = cli.stdin;
  const keys = parseDetachKeys(o.detachKeys ?? 'ctrl-p,ctrl-q');
  let matched = 0;
  let detached = false;
  const restore: (() => void)[] = [];
  if (o.tty && cli.stdout.isTTY) {
    const onResize = () => s.resize(cli.stdout.rows, cli.stdout.columns);
    onResize();
    cli.stdout.on('resize', onResize);
    restore.push(() => cli.stdout.off('resize', onResize));
  }
  if (o.stdin) {
    if (o.tty && stdin.isTTY) {
      stdin.setRawMode(true);
      restore.push(() => {
        try {
          stdin.setRawMode(false);
        } catch {
          // the terminal went away
        }
      });
    }
    const onData = (chunk: Buffer) => {
      if (o.tty) {
        // look for the detach sequence; bytes of a partial match are held back
        const out: number[] = [];
        for (const b of chunk) {
          if (b === keys[matched]) {
            matched++;
            if (matched === keys.length) {
              detached = true;
              s.close();
              return;
            }
            continue;
          }
          if (matched) out.push(...keys.slice(0, matched));
          matched = 0;
          out.push(b);
        }
        if (out.length) s.write(Buffer.from(out));
      } else {
        s.write(chunk);
      }
    };
    // the end of input closes the container's stdin (ctrl-d, the end of a pipe), but a terminal that went away
    // (a hangup reads as the end, or EIO) does not: a dropped client leaves the container's stdin open, as docker's
    const onEnd = () => {
      if (!terminalGone(stdin)) s.closeStdin();
    };
    const onError = () => undefined;
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();
    restore.push(() => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      stdin.pause();
    });
  }
  if (o.sigProxy && !o.tty) {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
    const handler = (sig: NodeJS.Signals) => {
      o.backend.killContainer(o.ref, sig).catch(() => undefined);
    };
    for (const sig of signals) process.on(sig, handler);
    restore.push(() => signals.forEach((sig) => process.off(sig, handler)));
  }
  const exit = await s.exited;
  for (const r of restore) r();
  if (detached) return { kind: 'detached' };
  return exit ? { kind: 'exited', exit } : { kind: 'lost' };
}
