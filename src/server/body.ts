/**
 * Request bodies: read with a size limit and an idle timeout, parsed as JSON
 * with dockerd's messages. A body over the limit or one that does not parse
 * is refused with 400 before anything is done.
 */
import type { IncomingMessage } from 'node:http';
import { DEADLINES } from './deadlines.js';
import { badRequest, badRequestClosing, HttpError } from './errors.js';

/** The largest JSON body berth reads (container create with every field set is a few KiB). */
export const MAX_JSON_BODY = 4 * 1024 * 1024;

/** After a refused body, what is still read (and dropped) so the client sees the answer before the close. */
export const LINGER = { bytes: 1024 * 1024, ms: 2_000 };

/**
 * Refused before its end, a request's body is read on for at most
 * LINGER.bytes and LINGER.ms (a client still writing gets the answer
 * instead of a broken pipe), then the connection is closed: it cannot carry
 * another request, and a client that declares gigabytes costs no more.
 */
function lingerThenClose(req: IncomingMessage): void {
  const s = req.socket;
  let extra = 0;
  const timer = setTimeout(() => s.destroy(), LINGER.ms);
  s.once('close', () => clearTimeout(timer));
  req.on('data', (c: Buffer) => {
    extra += c.length;
    if (extra > LINGER.bytes) s.destroy();
  });
  req.resume();
  // node ends a "Connection: close" answer with destroySoon, which stops reading at once: end only the writing side
  s.destroySoon = () => void s.end();
}

/**
 * The whole body as bytes; 400 past `limit` (dockerd's status), and the
 * connection is then closed rather than the rest read: a client that
 * declares or sends gigabytes costs nothing more than the limit.
 */
export function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      lingerThenClose(req);
      return reject(badRequestClosing(`request body is larger than ${limit} bytes`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = setTimeout(() => fail(new HttpError(408, 'request body timed out', true)), DEADLINES.bodyIdleMs);
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      if (e instanceof HttpError && e.closeConnection) lingerThenClose(req);
      else req.resume();
      reject(e);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      timer.refresh();
      if (size > limit) return fail(badRequestClosing(`request body is larger than ${limit} bytes`));
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('error', (e) => fail(e));
    req.on('aborted', () => fail(badRequest('the client closed the request')));
    req.on('end', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** The body parsed as JSON; an empty body is `undefined`. Malformed JSON: 400 with Go's kind of message. */
export async function readJson(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<unknown> {
  const buf = await readBody(req, limit);
  const text = buf.toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`invalid JSON: ${(e as Error).message}`);
  }
}

/** Whether a request declares a JSON body (dockerd checks the media type where it matters). */
export function isJsonRequest(req: IncomingMessage): boolean {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return ct === 'application/json' || ct === '';
}
