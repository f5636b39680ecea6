/**
 * What every CLI verb gets: the backend (opened on first use), the output
 * streams, and the global options. Verbs parse their arguments, call one
 * backend function and print; they hold no engine logic.
 */
import type { Backend } from '../client/api.js';

export interface GlobalOptions {
  root?: string;
  runroot?: string;
  /** -H/--host: a remote engine (unix://, tcp://, ssh://). */
  host?: string;
  /** --context: a docker context by name. */
  context?: string;
}

export class UsageError extends Error {
  constructor(
    message: string,
    readonly verbPath = '',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An error already reported to the user; carries the exit status. */
export class ExitError extends Error {
  constructor(
    readonly status: number,
    message = '',
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

export class Cli {
  private backendPromise: Promise<Backend> | null = null;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;

  constructor(
    readonly globals: GlobalOptions,
    io: { stdout?: NodeJS.WriteStream; stderr?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream } = {},
    /** The command line as given, after the program's name (a build keys its replay record by it). */
    readonly argv: readonly string[] = [],
  ) {
    this.stdout = io.stdout ?? process.stdout;
    this.stderr = io.stderr ?? process.stderr;
    this.stdin = io.stdin ?? process.stdin;
  }

  backend(): Promise<Backend> {
    this.backendPromise ??= import('../client/open.js').then(({ openBackend }) => openBackend(this.globals));
    return this.backendPromise;
  }

  async close(): Promise<void> {
    if (this.backendPromise) await (await this.backendPromise).close();
  }

  out(line: string): void {
    this.stdout.write(line.endsWith('\n') ? line : line + '\n');
  }

  err(line: string): void {
    this.stderr.write(line.endsWith('\n') ? line : line + '\n');
  }
}
