/** `berth run`: create, attach, start; in the foreground stream the output and return the exit code. */
import { Command, Option } from 'commander';
import { isBerthError } from '../../client/api.js';
import { pumpSession } from '../../client/attach-io.js';
import { configureCreateFlags, createRequest } from '../container-flags.js';
import { ExitError } from '../context.js';
import { errorMessage } from '../errors.js';
import { ensureImage } from '../ensure-image.js';
import { bool, str, type Opts, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['run'], ['container', 'run']],
  summary: 'Create and run a new container from an image',
  configure(cmd) {
    configureCreateFlags(cmd);
    cmd
      .option('-d, --detach', 'Run container in background and print container ID')
      .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
      .option('--sig-proxy', 'Proxy received signals to the process (--sig-proxy=false: no)', true)
      .addOption(new Option('--no-sig-proxy').hideHelp());
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    const req = createRequest(args, opts, true);
    const detach = bool(opts, 'detach');
    if (req.tty && req.attachStdin && !cli.stdin.isTTY) {
      throw new ExitError(1, 'Error: the input device is not a TTY');
    }
    // the terminal's size from the start, as podman does: a command that asks at once (`stty size`) finds it
    if (req.tty && cli.stdout.isTTY && cli.stdout.rows > 0 && cli.stdout.columns > 0) {
      req.consoleSize = [cli.stdout.rows, cli.stdout.columns];
    }
    await ensureImage(cli, backend, req.image, opts);
    let id: string;
    try {
      const created = await backend.createContainer(req);
      for (const w of created.warnings) cli.err(`WARNING: ${w}`);
      id = created.id;
    } catch (e) {
      throw new ExitError(125, `Error: ${errorMessage(e)}`);
    }
    // in the foreground, this process removes an --rm container when it exits (see below)
    const attach = detach
      ? undefined
      : { stdin: !!req.attachStdin, stdout: !!req.attachStdout, stderr: !!req.attachStderr, cleanup: !!req.autoRemove };
    let started;
    try {
      started = await backend.startContainer(id, attach ? { attach } : {});
    } catch (e) {
      const code = (e as { exitCode?: number }).exitCode;
      if (req.autoRemove) await backend.removeContainer(id, { force: true }).catch(() => undefined);
      throw new ExitError(code ?? 125, `Error: ${errorMessage(e)}`);
    }
    // the next plain `run` of this image can go without Node (bin/berth, native/launcher); after the start, not before it
    const plan = async () => {
      if (!backend.capabilities().runPlan.ok) return;
      await backend
        .prepareRunPlan(req.image, (image, cmd, flags) =>
          createRequest([image, ...cmd], { ...plainOpts(), ...flags }, true),
        )
        .catch(() => undefined);
    };
    if (detach) {
      cli.out(id);
      await plan();
      return 0;
    }
    const result = await pumpSession(cli, started.session!, {
      tty: !!req.tty,
      stdin: !!req.attachStdin,
      ...(str(opts, 'detachKeys') ? { detachKeys: str(opts, 'detachKeys')! } : {}),
      sigProxy: String(opts.sigProxy) !== 'false',
      backend,
      ref: id,
    });
    await plan();
    if (result.kind === 'detached') return 0;
    const code = result.kind === 'exited' ? result.exit.exitCode : (await backend.waitContainer(id)).exitCode;
    if (req.autoRemove) {
      await backend.removeContainer(id, { force: true }).catch((e) => {
        if (!isBerthError(e, 'NOT_FOUND')) throw e;
      });
    }
    return code;
  },
};

/** The options of `run IMAGE` with no flags, as commander gives them. */
function plainOpts(): Opts {
  const c = new Command();
  verb.configure(c);
  c.exitOverride().parse(['IMAGE'], { from: 'user' });
  return c.opts();
}
