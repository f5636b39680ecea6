/** `berth start [-a] [-i] CONTAINER...`. */
import { pumpSession, rawBeforeStart } from '../../client/attach-io.js';
import { errorMessage } from '../errors.js';
import { bool, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['start'], ['container', 'start']],
  summary: 'Start one or more stopped containers',
  configure(cmd) {
    cmd
      .argument('<CONTAINER...>')
      .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
      .option('-i, --interactive', "Attach container's STDIN")
      .option('--detach-keys <string>', 'Override the key sequence for detaching a container');
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    const attach = bool(opts, 'attach') || bool(opts, 'interactive');
    if (attach && args.length > 1) {
      cli.err('Error: you cannot start and attach multiple containers at once');
      return 1;
    }
    if (attach) {
      const info = await backend.inspectContainer(args[0]!);
      const wantStdin = bool(opts, 'interactive') && info.Config.OpenStdin;
      const undoRaw = rawBeforeStart(cli, info.Config.Tty && wantStdin);
      let started;
      try {
        started = await backend.startContainer(args[0]!, { attach: { stdin: wantStdin, stdout: true, stderr: true } });
      } catch (e) {
        undoRaw();
        throw e;
      }
      const { id, session } = started;
      if (!session) {
        undoRaw();
        return 0;
      }
      const r = await pumpSession(cli, session, {
        tty: info.Config.Tty,
        stdin: wantStdin,
        ...(str(opts, 'detachKeys') ? { detachKeys: str(opts, 'detachKeys')! } : {}),
        sigProxy: true,
        backend,
        ref: id,
      });
      if (r.kind === 'exited') return r.exit.exitCode;
      if (r.kind === 'lost') return (await backend.waitContainer(id)).exitCode;
      return 0;
    }
    const failed: string[] = [];
    for (const ref of args) {
      try {
        await backend.startContainer(ref);
        cli.out(ref);
      } catch (e) {
        cli.err(`Error: ${errorMessage(e)}`);
        failed.push(ref);
      }
    }
    if (failed.length) cli.err(`Error: failed to start containers: ${failed.join(', ')}`);
    return failed.length ? 1 : 0;
  },
};
