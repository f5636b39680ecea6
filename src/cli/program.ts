/**
 * The command tree (commander) built from the verb table, and the runner
 * that maps outcomes to docker's exit codes: 0 success, 1 an error the
 * engine reported, 125 a usage error (bad flag, missing argument).
 */
import { Command, CommanderError } from 'commander';
import { Cli, ExitError, UsageError, type GlobalOptions } from './context.js';
import { errorMessage } from './errors.js';
import { goStyleFlags } from './go-flags.js';
import type { Verb } from './verb.js';
import { allVerbs, findVerb, groups } from './verbs.js';

function flatten(args: unknown[]): string[] {
  return args.flatMap((a) => (Array.isArray(a) ? a : a === undefined ? [] : [a])).map(String);
}

export function buildProgram(
  cli: { current?: Cli; argv?: string[] },
  onResult: (code: number) => void,
  verbs: Verb[],
): Command {
  const program = new Command('berth')
    .description('A container manager with its own engine. With no command, opens the full-screen app.')
    .option('--root <dir>', 'Root of the image and container store (env BERTH_ROOT)')
    .option('--runroot <dir>', 'Directory for runtime state (env BERTH_RUNROOT)')
    .option(
      '-H, --host <string>',
      'Engine to connect to: unix:///path, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT] (env DOCKER_HOST)',
    )
    .option(
      '-c, --context <string>',
      'Name of the docker context to use (env DOCKER_CONTEXT; "default": the embedded engine)',
    )
    .helpOption('-h, --help', 'Print usage')
    .showHelpAfterError(false)
    .enablePositionalOptions()
    .exitOverride();
  const parents = new Map<string, Command>();
  const attach = (path: string[], verb: Verb) => {
    let parent = program;
    for (const [i, part] of path.slice(0, -1).entries()) {
      const key = path.slice(0, i + 1).join(' ');
      let g = parents.get(key);
      if (!g) {
        g = parent
          .command(part)
          .description(groups[part] ?? '')
          .enablePositionalOptions()
          .exitOverride();
        parents.set(key, g);
      }
      parent = g;
    }
    const cmd = parent
      .command(path[path.length - 1]!)
      .description(verb.summary)
      .exitOverride();
    verb.configure(cmd);
    cmd.action(async (...a: unknown[]) => {
      const command = a[a.length - 1] as Command;
      const globals = program.opts<GlobalOptions>();
      const c = new Cli(globals, {}, cli.argv ?? []);
      cli.current = c;
      const code = await verb.run(c, flatten(command.processedArgs), command.opts());
      onResult(code ?? 0);
    });
  };
  for (const verb of verbs) for (const path of verb.paths) attach(path, verb);
  return program;
}

/** Global options that take a value (as the next word, or after '=' in their long form). */
const VALUED = ['--root', '--runroot', '--host', '-H', '--context', '-c'];
export const takesValue = (a: string): boolean => VALUED.includes(a);
const valueJoined = (a: string): boolean =>
  /^--(root|runroot|host|context)=/.test(a) || (/^-[Hc]./.test(a) && !a.startsWith('--'));

/** The leading words of argv past the global options ("container", "ls"): at most two. */
export function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (takesValue(a)) i++;
    else if (valueJoined(a)) continue;
    else if (a.startsWith('-')) break;
    else words.push(a);
  }
  return words;
}

/** The command words of argv ("container ls"), past the global options, for "See 'berth X --help'". */
export function commandPath(program: Command, argv: string[]): string {
  const names: string[] = [];
  let cur = program;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (takesValue(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    const next = cur.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!next) break;
    names.push(next.name());
    cur = next;
  }
  return names.join(' ');
}

/** argv with the docker CLI's flag forms made readable for commander, after the words naming the command (see go-flags). */
function withGoFlags(program: Command, argv: string[]): string[] {
  let cur = program;
  let after = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (takesValue(a)) i++;
    else if (!a.startsWith('-')) {
      const next = cur.commands.find((c) => c.name() === a || c.aliases().includes(a));
      if (!next) break;
      cur = next;
      after = i + 1;
    }
  }
  return cur === program ? argv : [...argv.slice(0, after), ...goStyleFlags(cur, argv.slice(after))];
}

/** Run the CLI; resolves to the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  const holder: { current?: Cli; argv?: string[] } = { argv };
  let code = 0;
  // only the verb argv names is loaded; help and unknown commands need them all
  const load =
    argv.some((a) => a === '-h' || a === '--help') && commandWords(argv).length === 0
      ? null
      : findVerb(commandWords(argv));
  const verbs = load ? [await load()] : await allVerbs();
  const program = buildProgram(holder, (c) => (code = c), verbs);
  // commander reports usage problems here (every command: settings are copied when a command is made)
  const output = { writeErr: (s: string) => process.stderr.write(`berth: ${s.replace(/^error: /, '')}`) };
  const configure = (c: Command) => {
    c.configureOutput(output);
    c.commands.forEach(configure);
  };
  configure(program);
  const usagePath = commandPath(program, argv);
  try {
    await program.parseAsync(withGoFlags(program, argv), { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return 0;
      if (e.code === 'commander.executeSubCommandAsync') return e.exitCode;
      process.stderr.write(`See 'berth${usagePath ? ` ${usagePath}` : ''} --help'.\n`);
      return 125;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`berth: ${e.message}\nSee 'berth ${usagePath} --help'.\n`);
      return 125;
    }
    if (e instanceof ExitError) {
      if (e.message) process.stderr.write(`${e.message}\n`);
      return e.status;
    }
    process.stderr.write(`Error: ${errorMessage(e)}\n`);
    return 1;
  } finally {
    await holder.current?.close().catch(() => undefined);
  }
}

/** Every verb loaded (the code cache's build step runs the top level of every module). */
export { allVerbs } from './verbs.js';
