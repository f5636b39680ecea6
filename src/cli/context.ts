/**
 * What every CLI verb gets: the backend (opened on first use), the output
 * streams, and the global options. Verbs parse their arguments, call one
 * backend function and print; they hold no engine logic.
 */
import type { Backend } from '../client/api.js';

export interface GlobalOptions {
  root?: string;
  runroot?: string;
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
  ) {
    this.stdout = io.stdout ?? process.stdout;
    this.stderr = io.stderr ?? process.stderr;
    this.stdin = io.stdin ?? process.stdin;
  }

  backend(): Promise<Backend> {
    this.backendPromise ??= import('../client/embedded.js').then(
      ({ EmbeddedBackend }) =>
        new EmbeddedBackend({
          ...(this.globals.root ? { root: this.globals.root } : {}),
          ...(this.globals.runroot ? { runroot: this.globals.runroot } : {}),
        }),
    );
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
