/** `berth network ls [-q] [--no-trunc] [-f driver=|id=|label=|name=|scope=|type=|dangling=] [--format]`. */
import { parseFilterArgs } from '../../client/filters.js';
import { printList, withLabelMethod } from '../output.js';
import { bool, collect, list, str, type Verb } from '../verb.js';
import { goTimeString } from './images.js';

export const verb: Verb = {
  paths: [
    ['network', 'ls'],
    ['network', 'list'],
  ],
  summary: 'List networks',
  configure(cmd) {
    cmd
      .option('-f, --filter <filter>', "Provide filter values (e.g. 'driver=bridge')", collect)
      .option('--format <string>', "Format output using a custom template: 'table', 'json', or a Go template")
      .option('--no-trunc', 'Do not truncate the output')
      .option('-q, --quiet', 'Only display network IDs');
  },
  async run(cli, _args, opts) {
    // the docker CLI sorts them by name
    const nets = (await (await cli.backend()).listNetworks(parseFilterArgs(list(opts, 'filter')))).sort((a, b) =>
      a.Name.localeCompare(b.Name, 'en', { numeric: true }),
    );
    const full = opts.trunc === false;
    const rows = nets.map((n) =>
      withLabelMethod(n.Labels ?? {}, {
        ID: full ? n.Id : n.Id.slice(0, 12),
        Name: n.Name,
        Driver: n.Driver,
        Scope: n.Scope,
        IPv6: String(n.EnableIPv6),
        Internal: String(n.Internal),
        Labels: Object.entries(n.Labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
        CreatedAt: goTimeString(Date.parse(n.Created) / 1000),
      }),
    );
    printList(
      cli,
      rows,
      {
        columns: [
          { header: 'NETWORK ID', field: 'ID' },
          { header: 'NAME', field: 'Name' },
          { header: 'DRIVER', field: 'Driver' },
          { header: 'SCOPE', field: 'Scope' },
        ],
        headers: {
          ID: 'NETWORK ID',
          Name: 'NAME',
          Driver: 'DRIVER',
          Scope: 'SCOPE',
          IPv6: 'IPV6',
          Internal: 'INTERNAL',
          Labels: 'LABELS',
          CreatedAt: 'CREATED AT',
        },
        idField: 'ID',
      },
      { format: str(opts, 'format'), quiet: bool(opts, 'quiet') },
    );
  },
};
