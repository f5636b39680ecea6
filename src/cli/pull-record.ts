/**
 * The command line's side of pull replay records (engine/registry/
 * pull-record.ts): which `berth pull` lines the native launcher may answer
 * again. Exactly `pull [-q] NAME:TAG` (or `image pull`), after the global
 * --root and --runroot alone (the launcher hands any other global option
 * to Node): no --all-tags, --platform or digest, a tag written out (the
 * defaulted tag prints a line of its own), through the embedded engine.
 * What it printed on stdout is kept; it prints nothing on stderr.
 */
import type { Backend } from '../client/api.js';
import type { Cli } from './context.js';

/** The line to keep a record under (the arguments after the program's name), or null. */
export function pullRecordLine(cli: Cli, backend: Backend, input: string): string[] | null {
  // BERTH_NATIVE_RUN=0: the launcher sends every line to Node, a record would never be read
  if (!cli.argv.length || !backend.capabilities().runPlan.ok || process.env.BERTH_NATIVE_RUN === '0') return null;
  const argv = [...cli.argv];
  let i = 0;
  while (i < argv.length && /^--(root|runroot)(=|$)/.test(argv[i]!)) i += argv[i]!.includes('=') ? 1 : 2;
  if (argv[i] === 'image') i++;
  if (argv[i] !== 'pull') return null;
  const rest = argv.slice(i + 1).filter((a) => a !== '-q' && a !== '--quiet');
  if (rest.length !== 1 || rest[0] !== input || argv.length - i - 1 - rest.length > 1) return null;
  // a tag written out, no digest: after the last slash, a colon
  if (input.includes('@') || !/:[\w][\w.-]*$/.test(input.slice(input.lastIndexOf('/') + 1))) return null;
  return argv;
}
