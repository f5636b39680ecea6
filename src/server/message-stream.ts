/**
 * A JSON message stream (docker's jsonmessage: load, import, pull, push):
 * one JSON document and CRLF per message, the head held back until the first
 * message, so an error before any output is still a proper error answer.
 */
import type { ServerResponse } from 'node:http';
import { httpErrorOf } from './errors.js';
import { writeStream } from './respond.js';

export class MessageStream {
  constructor(private readonly res: ServerResponse) {}
  private start(): void {
    if (!this.res.headersSent) {
      this.res.writeHead(200, { 'Content-Type': 'application/json' });
      this.res.flushHeaders();
    }
  }
  send(msg: Record<string, unknown>): Promise<void> | void {
    this.start();
    return writeStream(this.res, JSON.stringify(msg) + '\r\n');
  }
  get started(): boolean {
    return this.res.headersSent;
  }
  /**
   * An error: a proper answer when nothing went out yet, else docker's error
   * message in the stream; with `code` always in the stream, as dockerd sends
   * a failed RUN's status (the docker CLI exits with it).
   */
  fail(e: unknown, code?: number): void {
    if (!this.started && !code) throw e;
    const { message } = httpErrorOf(e);
    void this.send({ errorDetail: { ...(code ? { code } : {}), message }, error: message });
    this.res.end();
  }
  end(): void {
    this.start();
    this.res.end();
  }
}
