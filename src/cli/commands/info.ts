/** `berth info` / `berth system info`: what dockerd's /info says, in docker's layout, or through --format. */
import { createRequire } from 'node:module';
import { dockerInfo } from '../../client/format/info.js';
import { infoText } from '../../client/format/info-text.js';
import { goJson } from '../../client/format/json.js';
import { compileTemplate } from '../../client/format/template.js';
import { str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['info'], ['system', 'info']],
  summary: 'Display system-wide information',
  configure(cmd) {
    cmd.option('-f, --format <string>', "Format output using a custom template: 'json', or a Go template");
  },
  async run(cli, _args, opts) {
    const doc = dockerInfo(await (await cli.backend()).systemInfo());
    const format = str(opts, 'format');
    if (format === 'json') return void cli.out(goJson(doc));
    if (format) return void cli.out(compileTemplate(format)(doc));
    const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
    const { out, warnings } = infoText(doc, { version: pkg.version });
    cli.stdout.write(out);
    for (const w of warnings) cli.err(w);
  },
};
