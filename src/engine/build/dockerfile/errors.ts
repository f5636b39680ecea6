/**
 * A Dockerfile error that names its line, as docker reports it
 * (`Dockerfile:12` above the message). The code is INVALID_ARGUMENT; the
 * line range lets the CLI show the offending lines.
 */
import { BerthError } from '../../errors.js';

export class DockerfileError extends BerthError {
  constructor(
    message: string,
    readonly line: number,
    readonly endLine: number = line,
    options?: { cause?: unknown },
  ) {
    super('INVALID_ARGUMENT', message, options);
    this.name = 'DockerfileError';
  }
}

/** Re-throw an error from parsing or expanding one instruction with that instruction's lines. */
export function atLines<T>(start: number, end: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DockerfileError) throw e;
    if (e instanceof BerthError) throw new DockerfileError(e.message, start, end, { cause: e });
    throw e;
  }
}
