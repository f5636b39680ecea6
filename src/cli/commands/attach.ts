/** `berth attach CONTAINER`: this terminal to a running container's stdio (detach with ctrl-p ctrl-q). */
import { Option } from 'commander';
import { pumpSession } from '../../client/attach-io.js';
import { str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['attach'], ['container', 'attach']],
  summary: 'Attach local standard input, output, and error streams to a running container',
  configure(cmd) {
    cmd
      .argument('<CONTAINER>')
      .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
      .option('--no-stdin', 'Do not attach STDIN')
      .option('--sig-proxy', 'Proxy all received signals to the process (--sig-proxy=false: no)', true)
      .addOption(new Option('--no-sig-proxy').hideHelp());
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    const info = await backend.inspectContainer(args[0]!);
    const stdin = opts.stdin !== false && info.Config.OpenStdin;
    const session = await backend.attachContainer(info.Id, { stdin, stdout: true, stderr: true });
    const r = await pumpSession(cli, session, {
      tty: info.Config.Tty,
      stdin,
      ...(str(opts, 'detachKeys') ? { detachKeys: str(opts, 'detachKeys')! } : {}),
      sigProxy: String(opts.sigProxy) !== 'false',
      backend,
      ref: info.Id,
    });
    if (r.kind === 'exited') return r.exit.exitCode;
    if (r.kind === 'lost') return (await backend.waitContainer(info.Id)).exitCode;
    // detached with the escape keys: docker's attach reports it so, and fails
    cli.err('read escape sequence');
    return 1;
  },
};
