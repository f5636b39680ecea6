/**
 * The error every backend throws: a BerthError with a code that callers
 * branch on (NOT_FOUND, CONFLICT, UNAVAILABLE for an engine that cannot be
 * reached, ...). One class for the embedded engine and the remote backends,
 * so a caller cannot tell (and need not know) where an error came from; it
 * is defined beside the engine, which throws it without importing upward.
 */
export { BerthError, isBerthError, type ErrorCode } from '../engine/errors.js';
