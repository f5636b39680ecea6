/** `berth logs [-f] [--tail N] [--since T] [--until T] [-t] CONTAINER`: stdout and stderr kept apart. */
import { str, bool, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['logs'], ['container', 'logs']],
  summary: 'Fetch the logs of a container',
  configure(cmd) {
    cmd
      .argument('<CONTAINER>')
      .option('--details', 'Show extra details provided to logs')
      .option('-f, --follow', 'Follow log output')
      .option('--since <string>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m")')
      .option('-n, --tail <string>', 'Number of lines to show from the end of the logs', 'all')
      .option('-t, --timestamps', 'Show timestamps')
      .option('--until <string>', 'Show logs before a timestamp or relative');
  },
  async run(cli, args, opts) {
    const tail = str(opts, 'tail') ?? 'all';
    if (tail !== 'all' && !/^-?\d+$/.test(tail)) {
      cli.err(`berth: invalid argument "${tail}" for "-n, --tail" flag: must be an integer or "all"`);
      return 125;
    }
    const backend = await cli.backend();
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    const ts = bool(opts, 'timestamps');
    const details = bool(opts, 'details');
    try {
      for await (const l of backend.containerLogs(args[0]!, {
        ...(tail !== 'all' && Number(tail) >= 0 ? { tail: Number(tail) } : {}),
        ...(str(opts, 'since') ? { since: str(opts, 'since')! } : {}),
        ...(str(opts, 'until') ? { until: str(opts, 'until')! } : {}),
        follow: bool(opts, 'follow'),
        signal: controller.signal,
      })) {
        // --details: the log's extra attributes before the text; berth's json-file records none, so docker's " "
        (l.stream === 'stderr' ? cli.stderr : cli.stdout).write(
          `${ts ? `${l.time} ` : ''}${details ? ' ' : ''}${l.text}`,
        );
      }
    } finally {
      process.off('SIGINT', stop);
    }
  },
};
