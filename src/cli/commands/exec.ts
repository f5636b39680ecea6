/** `berth exec [-i] [-t] [-d] [-e] [-w] [-u] CONTAINER COMMAND...`: returns the command's exit code. */
import { spawn } from 'node:child_process';
import { pumpSession } from '../../client/attach-io.js';
import { envArgs, parseEnvFile } from '../container-flags.js';
import { ExitError } from '../context.js';
import { bool, collect, list, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['exec'], ['container', 'exec']],
  summary: 'Execute a command in a running container',
  configure(cmd) {
    cmd
      .argument('<CONTAINER>')
      .argument('<COMMAND...>')
      .passThroughOptions()
      .option('-d, --detach', 'Detached mode: run command in the background')
      .option('-e, --env <list>', 'Set environment variables', collect)
      .option('--env-file <file>', 'Read in a file of environment variables', collect)
      .option('-i, --interactive', 'Keep STDIN open even if not attached')
      .option('--privileged', 'Give extended privileges to the command')
      .option('-t, --tty', 'Allocate a pseudo-TTY')
      .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
      .option('-w, --workdir <string>', 'Working directory inside the container');
  },
  async run(cli, args, opts) {
    const [ref, ...cmd] = args;
    const tty = bool(opts, 'tty');
    const interactive = bool(opts, 'interactive');
    if (tty && interactive && !cli.stdin.isTTY) throw new ExitError(1, 'Error: the input device is not a TTY');
    const backend = await cli.backend();
    const start = await backend.execPlan(ref!, {
      cmd,
      tty,
      interactive,
      detach: bool(opts, 'detach'),
      env: [...list(opts, 'envFile').flatMap((f) => parseEnvFile(f)), ...envArgs(list(opts, 'env'))],
      ...(str(opts, 'workdir') ? { workdir: str(opts, 'workdir')! } : {}),
      ...(str(opts, 'user') ? { user: str(opts, 'user')! } : {}),
      privileged: bool(opts, 'privileged'),
    });
    if (start.kind === 'session') {
      // a remote engine: the exec's streams over the backend's connection, wired to this terminal
      if (bool(opts, 'detach')) return 0;
      const r = await pumpSession(cli, start.session, { tty, stdin: interactive, backend, ref: ref! });
      if (r.kind === 'exited') return r.exit.exitCode;
      if (r.kind === 'lost') throw new ExitError(1, 'Error: lost the connection to the engine');
      return 0;
    }
    // the monitor joins the container and runs the command with our terminal
    const stdin = interactive || tty ? 'inherit' : 'ignore';
    const child = spawn(start.program, start.args, { stdio: [stdin, 'inherit', 'inherit'] });
    const ignore = () => undefined; // the child gets ^C through the terminal or forwards it itself
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? 9 : 0)));
      });
    } finally {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', ignore);
    }
  },
};
