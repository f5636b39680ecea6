/**
 * The front of every connection: dockerd also hijacks attach and exec start
 * for old clients that send no `Upgrade` header, answering `200 OK` and then
 * speaking raw on the socket. Node's http server only gives up a socket on an
 * upgrade, so the first request head of each connection is looked at here:
 * such a request gets `Connection: Upgrade` and `Upgrade: tcp` added before
 * the http server reads it, and the socket is remembered so the answer is
 * the old `200 OK` rather than `101 UPGRADED`. Clients that hijack dial a
 * fresh connection for it (docker's, docker-py's), so the first request is
 * the one to look at. Everything else passes through untouched.
 */
import type { Socket } from 'node:net';
import { DEADLINES } from './deadlines.js';

const HIJACK_PATH = /^POST (\/v\d+\.\d+)?\/(containers\/[^/ ]+\/attach|exec\/[^/ ]+\/start)(\?[^ ]*)? HTTP\/1\.[01]$/;

/** Past this many bytes the head is passed on as it is (the http server refuses it). */
const MAX_SNIFF = 16 * 1024;

/**
 * A request head turned into an upgrade request, or null when it is not an
 * old-style hijack (or already asks for an upgrade). Pure.
 */
export function upgradeLegacyHead(head: string): string | null {
  const lines = head.split('\r\n');
  if (!HIJACK_PATH.test(lines[0] ?? '')) return null;
  const headers = lines.slice(1);
  if (headers.some((l) => /^upgrade\s*:/i.test(l))) return null;
  const kept = headers.filter((l) => !/^connection\s*:/i.test(l));
  return [lines[0], 'Connection: Upgrade', 'Upgrade: tcp', ...kept].join('\r\n');
}

/**
 * Read the first request head of a socket, rewrite it if it is an old-style
 * hijack, and hand the socket on with the bytes read so far.
 */
export function frontConnection(
  socket: Socket,
  onLegacy: (s: Socket) => void,
  handOn: (s: Socket, first: Buffer) => void,
): void {
  let buf: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), DEADLINES.firstHeadMs);
  const finish = () => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.pause();
  };
  const onData = (d: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0 && buf.length < MAX_SNIFF) return;
    finish();
    if (end >= 0) {
      const rewritten = upgradeLegacyHead(buf.subarray(0, end).toString('latin1'));
      if (rewritten !== null) {
        onLegacy(socket);
        buf = Buffer.concat([Buffer.from(rewritten, 'latin1'), buf.subarray(end)]);
      }
    }
    handOn(socket, buf);
  };
  const onEnd = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
}
