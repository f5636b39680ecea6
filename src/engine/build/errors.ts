/**
 * A build's failure as docker shows it: the message BuildKit's solver ends
 * with, the Dockerfile lines it points at (`Dockerfile:12` and the lines
 * around), and for a failed step its progress name and the last lines of
 * its output. The code is the cause's.
 */
import { BerthError, type ErrorCode } from '../errors.js';
import type { Loc } from './dockerfile/types.js';
import { DockerfileError } from './dockerfile/errors.js';

/** A step that failed, before the build adds the Dockerfile to it. */
export class StepError extends BerthError {
  constructor(
    message: string,
    readonly vertex: string,
    readonly loc: Loc,
    readonly logs: string[],
    options?: { cause?: unknown; code?: ErrorCode },
  ) {
    super(options?.code ?? 'RUNTIME', message, options);
  }
}

export interface ErrorSource {
  /** The Dockerfile's name as shown (`Dockerfile`, `build.Dockerfile`). */
  name: string;
  /** Its lines (all of them). */
  lines: string[];
  start: number;
  end: number;
}

export class BuildError extends BerthError {
  constructor(
    message: string,
    code: ErrorCode,
    readonly source: ErrorSource | null,
    readonly vertex: string | null,
    readonly logs: string[],
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'BuildError';
  }
}

/** Add the Dockerfile to an error that points at its lines. */
export function withSource(e: unknown, name: string, text: string | null): unknown {
  const lines = text === null ? [] : text.replace(/\r/g, '').split('\n');
  const src = (start: number, end: number): ErrorSource | null => (text === null ? null : { name, lines, start, end });
  if (e instanceof StepError)
    return new BuildError(e.message, e.code, src(e.loc.start, e.loc.end), e.vertex, e.logs, { cause: e });
  if (e instanceof DockerfileError)
    return new BuildError(e.solveMessage, e.code, src(e.line, e.endLine), null, [], { cause: e });
  if (e instanceof BerthError && e.code !== 'CANCELLED')
    return new BuildError(e.message, e.code, null, null, [], { cause: e });
  return e;
}
