/** Writing responses as dockerd does: JSON with a newline, streams of JSON messages flushed as they come. */
import type { ServerResponse } from 'node:http';
import { goJson } from '../client/format/json.js';

/** A JSON response with a trailing newline, as Go's encoder writes it. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = goJson(value) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** No content. */
export function sendEmpty(res: ServerResponse, status = 204): void {
  res.writeHead(status);
  res.end();
}

/** Start a streamed response: headers out at once (clients wait for them before reading). */
export function startStream(res: ServerResponse, contentType = 'application/json'): void {
  res.writeHead(200, { 'Content-Type': contentType });
  res.flushHeaders();
}

/** Write to a streamed response, waiting while the client is slow to read. */
export function writeStream(res: ServerResponse, chunk: string | Buffer): Promise<void> | void {
  if (res.destroyed) return;
  if (!res.write(chunk))
    return new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
}
