/** `berth top CONTAINER [ps OPTIONS]`: the container's processes. */
import { renderTable } from '../../client/format/table.js';
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['top'], ['container', 'top']],
  summary: 'Display the running processes of a container',
  configure(cmd) {
    cmd.argument('<CONTAINER>').argument('[PS_OPTIONS...]').passThroughOptions();
  },
  async run(cli, args) {
    const [ref, ...ps] = args;
    const top = await (await cli.backend()).containerTop(ref!, ps);
    cli.stdout.write(renderTable(top.Titles, top.Processes));
  },
};
