/**
 * The command line's side of build replay records (engine/build/replay/
 * record.ts): which `berth build` lines may be answered again by the native
 * launcher, the line a record is kept under, and what the command printed.
 *
 * A line qualifies when everything it reads is checked by the record: a
 * local context and Dockerfile (not `-` or a URL), build arguments given
 * with their values (`--build-arg K` alone reads the environment), no
 * secrets, no --pull, no --iidfile (a file to write), and no terminal
 * progress (drawn for the terminal's width and time). A `--no-cache -q`
 * build keeps its record under the same line without --no-cache: it
 * printed the ID alone, which that line prints too once its steps are all
 * in the cache, as they now are (the launcher checks each step's cache
 * entry). A --no-cache line itself is never answered from a record.
 */
import type { Backend, BuildDepends } from '../client/api.js';
import type { Cli } from './context.js';

export interface RecordPlan {
  /** The line the record is kept under (the arguments after the program's name). */
  argv: string[];
  quiet: boolean;
}

/** The line to keep a record under, or null when this one may not have one. */
export function recordLine(
  cli: Cli,
  backend: Backend,
  o: {
    local: boolean;
    quiet: boolean;
    tty: boolean;
    noCache: boolean;
    pull: boolean;
    iidfile: boolean;
    secrets: boolean;
    buildArgs: string[];
  },
): RecordPlan | null {
  // BERTH_NATIVE_RUN=0: the launcher sends every line to Node, a record would never be read
  if (!cli.argv.length || !backend.capabilities().runPlan.ok || process.env.BERTH_NATIVE_RUN === '0') return null;
  if (!o.local || o.tty || o.pull || o.iidfile || o.secrets || o.buildArgs.some((a) => !a.includes('='))) return null;
  if (o.noCache && !o.quiet) return null;
  const argv = o.noCache ? cli.argv.filter((a) => a !== '--no-cache') : [...cli.argv];
  // --no-cache given some other way (--no-cache=true, a bundled form): no record
  if (o.noCache && argv.length !== cli.argv.length - 1) return null;
  return { argv, quiet: o.quiet };
}

/** A stream whose writes are also kept (what the command printed, for the record). */
export class OutputTap {
  text = '';
  constructor(readonly stream: NodeJS.WriteStream) {}

  get writer(): NodeJS.WriteStream {
    return new Proxy(this.stream, {
      get: (target, prop) => {
        if (prop === 'write')
          return (chunk: string | Uint8Array, ...rest: unknown[]) => {
            this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
            return (target.write as (...a: unknown[]) => boolean)(chunk, ...rest);
          };
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}

/** Keep the record; a failure to keep it changes nothing for this build. */
export async function keepRecord(
  backend: Backend,
  plan: RecordPlan,
  depends: BuildDepends,
  out: { stdout: string; stderr: string; stderrTty: boolean },
): Promise<void> {
  await backend
    .saveBuildRecord({ cwd: process.cwd(), argv: plan.argv, quiet: plan.quiet, depends, ...out })
    .catch(() => undefined);
}
