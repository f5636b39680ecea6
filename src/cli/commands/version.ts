/** `berth version`. */
import { createRequire } from 'node:module';
import { type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['version']],
  summary: 'Show the berth version information',
  configure(cmd) {
    cmd.option('-f, --format <string>', 'Format output using a custom template');
  },
  async run(cli) {
    const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
    const info = (await cli.backend()).info();
    cli.out(`berth version ${pkg.version}`);
    cli.out(` Node.js:     ${process.version}`);
    cli.out(` OS/Arch:     ${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`);
    cli.out(` Engine:      ${info.kind}${info.version ? ` ${info.version}` : ''}`);
    if (info.endpoint) cli.out(` Host:        ${info.endpoint}`);
    if (info.root) cli.out(` Root:        ${info.root}`);
    cli.out(` Run root:    ${info.runroot}`);
  },
};
