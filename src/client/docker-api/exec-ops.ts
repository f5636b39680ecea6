/**
 * exec over the Docker Engine API: the exec is created, then started on a
 * hijacked connection (or detached); its exit code is asked of the engine
 * once the stream ends.
 */
import type { AttachSession, ExecOptions, ExecStart, ExitInfo } from '../types/containers.js';
import type { Connection } from './connection.js';
import { hijackedSession } from './session.js';

const enc = encodeURIComponent;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function execSession(conn: Connection, ref: string, o: ExecOptions): Promise<ExecStart> {
  const { Id } = (await conn.json('POST', `/containers/${enc(ref)}/exec`, {
    body: {
      Cmd: o.cmd,
      Tty: !!o.tty,
      AttachStdin: !!o.interactive && !o.detach,
      AttachStdout: !o.detach,
      AttachStderr: !o.detach,
      Env: o.env,
      WorkingDir: o.workdir,
      User: o.user,
      Privileged: !!o.privileged,
    },
  })) as { Id: string };
  const exit = async (): Promise<ExitInfo | null> => {
    // the engine may say Running for a moment after the stream ends
    for (let i = 0; i < 50; i++) {
      const x = (await conn.json('GET', `/exec/${Id}/json`)) as { Running: boolean; ExitCode: number | null };
      if (!x.Running) return { exitCode: x.ExitCode ?? 0, oomKilled: false };
      await sleep(20 + i * 10);
    }
    return null;
  };
  if (o.detach) {
    await conn.call('POST', `/exec/${Id}/start`, { body: { Detach: true, Tty: !!o.tty } });
    return { kind: 'session', session: finishedSession({ exitCode: 0, oomKilled: false }) };
  }
  const socket = await conn.hijack(`/exec/${Id}/start`, { body: { Detach: false, Tty: !!o.tty } });
  const session = hijackedSession(socket, !!o.tty, {
    resize: (h, w) => conn.call('POST', `/exec/${Id}/resize`, { query: { h, w } }),
    exit,
  });
  return { kind: 'session', session };
}

/** A session with nothing to carry (a detached exec). */
function finishedSession(exit: ExitInfo): AttachSession {
  return {
    onData: () => undefined,
    write: () => undefined,
    closeStdin: () => undefined,
    resize: () => undefined,
    exited: Promise.resolve(exit),
    close: () => undefined,
  };
}
