/** `berth pull [-a] [-q] [--platform P] NAME[:TAG|@DIGEST]`: docker's pull with its output. */
import { isBerthError } from '../../client/api.js';
import { OutputTap } from '../build-record.js';
import { ExitError } from '../context.js';
import { pullRecordLine } from '../pull-record.js';
import { showPull } from '../pulling.js';
import { canonical } from '../reference-names.js';
import { bool, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['pull'], ['image', 'pull']],
  summary: 'Download an image from a registry',
  configure(cmd) {
    cmd
      .argument('<NAME[:TAG|@DIGEST]>')
      .option('-a, --all-tags', 'Download all tagged images in the repository')
      .option('--platform <string>', 'Set platform if server is multi-platform capable')
      .option('-q, --quiet', 'Suppress verbose output');
  },
  async run(cli, args, opts) {
    const input = args[0]!;
    const all = bool(opts, 'allTags');
    const quiet = bool(opts, 'quiet');
    const name = canonical(input, { allTags: all });
    if (name.defaulted && !quiet) cli.out('Using default tag: latest');
    const backend = await cli.backend();
    const platform = str(opts, 'platform');
    // a `pull [-q] NAME:TAG` line keeps what it printed for its replay record (cli/pull-record.ts)
    const line = pullRecordLine(cli, backend, input);
    const out = new OutputTap(cli.stdout);
    try {
      await showPull(cli, backend, input, {
        allTags: all,
        quiet,
        out: line ? out.writer : cli.stdout,
        ...(platform ? { platform } : {}),
      });
    } catch (e) {
      if (isBerthError(e, 'CANCELLED')) throw new ExitError(130);
      throw e;
    }
    if (!line) return cli.out(name.full);
    out.writer.write(`${name.full}\n`);
    await backend
      .savePullRecord(input, {
        argv: line,
        stdout: out.text,
        stderr: '',
        stdoutTty: !!cli.stdout.isTTY,
        stderrTty: !!cli.stderr.isTTY,
      })
      .catch(() => undefined);
  },
};
