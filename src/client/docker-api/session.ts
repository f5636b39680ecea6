/**
 * An attach or exec session over a hijacked connection: output demuxed
 * into stdout and stderr (raw with a tty), stdin written to the socket,
 * closing stdin by half-closing it, resizes as API calls. When the socket
 * ends, the exit is asked of the engine (the exec's or the container's);
 * a link that is gone by then gives null, as the interface says for a
 * connection that ended first.
 */
import type { Duplex } from 'node:stream';
import type { AttachSession, ExitInfo } from '../types/containers.js';
import { Demuxer } from './mux.js';

export interface SessionHooks {
  resize(rows: number, cols: number): Promise<unknown>;
  /** The exit once the stream has ended; null while the process still runs or when it cannot be asked. */
  exit(): Promise<ExitInfo | null>;
}

export function hijackedSession(socket: Duplex, tty: boolean, hooks: SessionHooks): AttachSession {
  let listener: ((stream: 1 | 2, data: Buffer) => void) | null = null;
  const early: [1 | 2, Buffer][] = [];
  const emit = (stream: 1 | 2, data: Buffer) => {
    if (listener) listener(stream, data);
    else early.push([stream, data]);
  };
  const demux = tty ? null : new Demuxer();
  let broken = false;
  socket.on('data', (chunk: Buffer) => {
    if (!demux) return emit(1, chunk);
    try {
      for (const f of demux.push(chunk)) if (f.stream === 1 || f.stream === 2) emit(f.stream, f.data);
    } catch {
      broken = true;
      socket.destroy();
    }
  });
  let closedByUs = false;
  const exited = new Promise<ExitInfo | null>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (closedByUs || broken) return resolve(null);
      hooks.exit().then(resolve, () => resolve(null));
    };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
  });
  return {
    onData(fn) {
      listener = fn;
      for (const [s, d] of early.splice(0)) fn(s, d);
    },
    write(data) {
      if (!socket.destroyed && socket.writable) socket.write(data);
    },
    closeStdin() {
      if (!socket.destroyed && socket.writable) socket.end();
    },
    resize(rows, cols) {
      hooks.resize(rows, cols).catch(() => undefined);
    },
    exited,
    close() {
      closedByUs = true;
      socket.destroy();
    },
  };
}
