/**
 * Errors as dockerd answers them: `{"message": "..."}` with the status code
 * its errdefs classes map to, so the docker CLI prints the same words and
 * takes the same branch (a 404 from create makes it pull, a 304 from start
 * is "already started").
 */
import { isBerthError, type ErrorCode } from '../client/api.js';

/** An error the server raises itself, with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Close the connection after the answer (the rest of the request is not read). */
    readonly closeConnection = false,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (msg: string) => new HttpError(400, msg);
/** A request refused before its body was read to the end: answered, then the connection is closed. */
export const badRequestClosing = (msg: string) => new HttpError(400, msg, true);
export const notFoundHttp = (msg: string) => new HttpError(404, msg);
export const conflictHttp = (msg: string) => new HttpError(409, msg);
/** A capability berth lacks: 501 and a message naming it. */
export const notImplemented = (msg: string) => new HttpError(501, msg);

const STATUS: Record<ErrorCode, number> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  IN_USE: 409,
  INVALID_ARGUMENT: 400,
  INVALID_ARCHIVE: 400,
  DIGEST_MISMATCH: 400,
  NEEDS_ROOT: 500,
  PERMISSION_DENIED: 403,
  UNAUTHORIZED: 401,
  WRONG_STATE: 409,
  NOT_SUPPORTED: 501,
  CANCELLED: 500,
  RUNTIME: 500,
  IO: 500,
  UNAVAILABLE: 503,
};

/** The status and message of any error thrown while serving a request. */
export function httpErrorOf(e: unknown): { status: number; message: string; close?: boolean } {
  if (e instanceof HttpError) return { status: e.status, message: e.message, close: e.closeConnection };
  if (isBerthError(e)) return { status: STATUS[e.code] ?? 500, message: e.message };
  const err = e as NodeJS.ErrnoException;
  return { status: 500, message: err?.message ?? String(e) };
}

/** The JSON body of an error response. */
export const errorBody = (message: string) => JSON.stringify({ message }) + '\n';
