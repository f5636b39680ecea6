/**
 * Joining a hijacked client connection to a container's attach session:
 * output to the client (raw with a tty, in multiplexed frames without), the
 * client's bytes to the container's stdin, the client's end of input to the
 * container's stdin closing, and with a tty the detach keys (ctrl-p ctrl-q
 * by default) ending the attachment without stopping the container.
 */
import type { Duplex } from 'node:stream';
import type { AttachSession, ExitInfo } from '../client/api.js';
import { parseDetachKeys } from '../client/attach-io.js';
import { badRequest } from './errors.js';
import { muxFrame } from './hijack.js';

export interface PipeOptions {
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Frame output (no tty) as docker's multiplexed stream. */
  multiplexed: boolean;
  detachKeys?: string | undefined;
}

export type PipeEnd =
  { kind: 'exited'; exit: ExitInfo } | { kind: 'detached' } | { kind: 'client-gone' } | { kind: 'lost' };

/** Check a detachKeys parameter before anything is written (400 when it does not parse). */
export function checkDetachKeys(spec: string | null): string | undefined {
  if (!spec) return undefined;
  try {
    parseDetachKeys(spec);
  } catch {
    throw badRequest(`Invalid detach keys (${spec}) provided`);
  }
  return spec;
}

/** Write output to the client; resolves when the session or the client ends. */
export function pipeSession(client: Duplex, s: AttachSession, o: PipeOptions): Promise<PipeEnd> {
  return new Promise((resolve) => {
    let ended = false;
    const finish = (end: PipeEnd) => {
      if (ended) return;
      ended = true;
      client.off('data', onInput);
      if (end.kind === 'client-gone' || end.kind === 'detached') s.close();
      if (end.kind === 'detached' || end.kind === 'exited' || end.kind === 'lost') {
        // let what was written reach the client, then close our side
        client.end();
      }
      resolve(end);
    };
    s.onData((stream, data) => {
      if (ended || client.destroyed) return;
      if (stream === 1 && !o.stdout) return;
      if (stream === 2 && !o.stderr) return;
      client.write(o.tty || !o.multiplexed ? data : muxFrame(stream, data));
    });
    const keys = o.tty && o.stdin ? parseDetachKeys(o.detachKeys ?? 'ctrl-p,ctrl-q') : [];
    let matched = 0;
    const onInput = (chunk: Buffer) => {
      if (!o.stdin) return;
      if (!keys.length) return s.write(chunk);
      const out: number[] = [];
      for (const b of chunk) {
        if (b === keys[matched]) {
          if (++matched === keys.length) {
            if (out.length) s.write(Buffer.from(out));
            return finish({ kind: 'detached' });
          }
          continue;
        }
        if (matched) out.push(...keys.slice(0, matched));
        matched = 0;
        out.push(b);
      }
      if (out.length) s.write(Buffer.from(out));
    };
    client.on('data', onInput);
    client.on('end', () => {
      if (o.stdin) s.closeStdin();
    });
    client.on('close', () => finish({ kind: 'client-gone' }));
    client.on('error', () => finish({ kind: 'client-gone' }));
    s.exited.then((exit) => finish(exit ? { kind: 'exited', exit } : { kind: 'lost' }));
    client.resume();
  });
}
