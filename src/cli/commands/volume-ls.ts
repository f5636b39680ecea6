/** `berth volume ls [-q] [-f dangling=|name=|label=|driver=] [--format]`. */
import { parseFilterArgs } from '../../client/filters.js';
import { printList, withLabelMethod } from '../output.js';
import { bool, collect, list, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [
    ['volume', 'ls'],
    ['volume', 'list'],
  ],
  summary: 'List volumes',
  configure(cmd) {
    cmd
      .option('-f, --filter <filter>', "Provide filter values (e.g. 'dangling=true')", collect)
      .option('--format <string>', "Format output using a custom template: 'table', 'json', or a Go template")
      .option('-q, --quiet', 'Only display volume names');
  },
  async run(cli, _args, opts) {
    const vols = await (await cli.backend()).listVolumes(parseFilterArgs(list(opts, 'filter')));
    const rows = vols.map((v) =>
      withLabelMethod(v.Labels ?? {}, {
        Driver: v.Driver,
        Name: v.Name,
        Mountpoint: v.Mountpoint,
        Scope: v.Scope,
        Labels: Object.entries(v.Labels)
          .map(([k, val]) => `${k}=${val}`)
          .join(','),
        Links: 'N/A',
        Size: 'N/A',
        Availability: 'N/A',
        Group: 'N/A',
        Status: 'N/A',
      }),
    );
    printList(
      cli,
      rows,
      {
        columns: [
          { header: 'DRIVER', field: 'Driver' },
          { header: 'VOLUME NAME', field: 'Name' },
        ],
        headers: {
          Driver: 'DRIVER',
          Name: 'VOLUME NAME',
          Mountpoint: 'MOUNTPOINT',
          Scope: 'SCOPE',
          Labels: 'LABELS',
          Links: 'LINKS',
          Size: 'SIZE',
        },
        idField: 'Name',
      },
      { format: str(opts, 'format'), quiet: bool(opts, 'quiet') },
    );
  },
};
