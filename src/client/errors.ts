/**
 * The error every backend throws: a BerthError with a code that callers
 * branch on (NOT_FOUND, CONFLICT, UNAVAILABLE for an engine that cannot be
 * reached, ...). One class for the embedded engine and the remote backends,
 * so a caller cannot tell (and need not know) where an error came from; it
 * is defined beside the engine, which throws it without importing upward.
 */
import { BerthError } from '../engine/errors.js';

export { BerthError, isBerthError, type ErrorCode } from '../engine/errors.js';

/**
 * A build a remote engine ran and that failed (the classic builder's error
 * message, one line): `status` is the exit status docker gives for it, a
 * RUN step's own exit code when the engine says it, else 1.
 */
export class BuildFailure extends BerthError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super('RUNTIME', message);
  }
}
