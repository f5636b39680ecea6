/**
 * Errors that cross the engine boundary. Callers branch on `code`, never on
 * message text. Messages are one line and say what was wrong.
 */
export type ErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'IN_USE'
  | 'INVALID_ARGUMENT'
  | 'INVALID_ARCHIVE'
  | 'DIGEST_MISMATCH'
  | 'NEEDS_ROOT'
  | 'PERMISSION_DENIED'
  | 'UNAUTHORIZED'
  | 'WRONG_STATE'
  | 'NOT_SUPPORTED'
  | 'CANCELLED'
  | 'RUNTIME'
  | 'IO';

export class BerthError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BerthError';
    this.code = code;
  }
}

export const notFound = (msg: string, cause?: unknown) => new BerthError('NOT_FOUND', msg, { cause });
export const conflict = (msg: string, cause?: unknown) => new BerthError('CONFLICT', msg, { cause });
export const inUse = (msg: string, cause?: unknown) => new BerthError('IN_USE', msg, { cause });
export const invalidArg = (msg: string, cause?: unknown) => new BerthError('INVALID_ARGUMENT', msg, { cause });
export const invalidArchive = (msg: string, cause?: unknown) => new BerthError('INVALID_ARCHIVE', msg, { cause });
export const wrongState = (msg: string, cause?: unknown) => new BerthError('WRONG_STATE', msg, { cause });

export function isBerthError(e: unknown, code?: ErrorCode): e is BerthError {
  return e instanceof BerthError && (code === undefined || e.code === code);
}

/** Turn a Node system error into a BerthError with a message that names the path. */
export function fromSystemError(e: unknown, what: string): BerthError {
  if (e instanceof BerthError) return e;
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return new BerthError('NOT_FOUND', `${what}: no such file or directory`, { cause: e });
    case 'EACCES':
    case 'EPERM':
      return new BerthError('PERMISSION_DENIED', `${what}: permission denied`, { cause: e });
    case 'ENOSPC':
      return new BerthError('IO', `${what}: no space left on device`, { cause: e });
    default:
      return new BerthError('IO', `${what}: ${err?.message ?? String(e)}`, { cause: e });
  }
}
