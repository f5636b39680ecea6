/**
 * A Dockerfile error that names its lines, as docker reports it
 * (`Dockerfile:12` and the lines around it above the message). The code is
 * INVALID_ARGUMENT. `parseError` marks errors of the parser proper, which
 * BuildKit words as "dockerfile parse error on line N: ...".
 */
import { BerthError, type ErrorCode } from '../../errors.js';

export class DockerfileError extends BerthError {
  constructor(
    message: string,
    readonly line: number,
    readonly endLine: number = line,
    options?: { cause?: unknown; parseError?: boolean; code?: ErrorCode },
  ) {
    super(options?.code ?? 'INVALID_ARGUMENT', message, options);
    this.name = 'DockerfileError';
    this.parseError = !!options?.parseError;
  }

  readonly parseError: boolean;

  /** The message as BuildKit's solver ends it (parse errors name their line). */
  get solveMessage(): string {
    return this.parseError ? `dockerfile parse error on line ${this.line}: ${this.message}` : this.message;
  }
}

/** Re-throw an error from one instruction with that instruction's lines (BerthErrors keep their code). */
export function atLines<T>(start: number, end: number, fn: () => T, parseError = false): T {
  try {
    return fn();
  } catch (e) {
    throw withLines(e, start, end, parseError);
  }
}

export function withLines(e: unknown, start: number, end: number, parseError = false): unknown {
  if (e instanceof DockerfileError) return e;
  if (e instanceof BerthError)
    return new DockerfileError(e.message, start, end, { cause: e, parseError, code: e.code });
  return e;
}
