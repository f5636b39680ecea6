/** `berth ps` / `berth container ls`: docker's container list. */
import type { ContainerSummary } from '../../client/api.js';
import { parseFilterArgs } from '../../client/filters.js';
import { containerStatus, humanSize, timeAgo } from '../../client/format/humanize.js';
import { ellipsis } from '../../client/format/table.js';
import { displayPorts } from '../../client/format/ports.js';
import { printList, withLabelMethod } from '../output.js';
import { bool, collect, list, str, type Verb } from '../verb.js';
import { goTimeString } from './images.js';

export function psRows(cs: ContainerSummary[], noTrunc: boolean, now = new Date()): Record<string, string>[] {
  return cs.map((c) => {
    const rw = c.SizeRw ?? 0;
    return withLabelMethod(c.Labels, {
      ID: noTrunc ? c.Id : c.Id.slice(0, 12),
      Image: noTrunc || !/^sha256:/.test(c.Image) ? c.Image : c.Image.slice(7, 19),
      Command: JSON.stringify(noTrunc ? c.Command : ellipsis(c.Command, 20)),
      CreatedAt: goTimeString(c.Created),
      RunningFor: timeAgo(new Date(c.Created * 1000), now),
      Ports: displayPorts(c.Ports),
      State: c.State,
      Status:
        c.Status ||
        containerStatus(
          { status: c.State, exitCode: c.ExitCode, startedAt: c.StartedAt, finishedAt: c.FinishedAt },
          now,
        ),
      Size: c.SizeRw === undefined ? '0B' : `${humanSize(rw)} (virtual ${humanSize(c.SizeRootFs ?? rw)})`,
      Names: c.Names.map((n) => n.replace(/^\//, '')).join(','),
      Labels: Object.entries(c.Labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      Mounts: c.Mounts.map((m) => (noTrunc ? (m.Name ?? m.Source) : ellipsis(m.Name ?? m.Source, 15))).join(','),
      Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
      LocalVolumes: String(c.Mounts.filter((m) => m.Type === 'volume').length),
    });
  });
}

export const verb: Verb = {
  paths: [['ps'], ['container', 'ls'], ['container', 'list'], ['container', 'ps']],
  summary: 'List containers',
  configure(cmd) {
    cmd
      .option('-a, --all', 'Show all containers (default shows just running)')
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
      .option('--format <string>', "Format output using a custom template: 'table', 'json', or a Go template")
      .option('-n, --last <int>', 'Show n last created containers (includes all states)')
      .option('-l, --latest', 'Show the latest created container (includes all states)')
      .option('--no-trunc', "Don't truncate output")
      .option('-q, --quiet', 'Only display container IDs')
      .option('-s, --size', 'Display total file sizes');
  },
  async run(cli, _args, opts) {
    const last = str(opts, 'last');
    if (last !== undefined && !/^-?\d+$/.test(last)) {
      cli.err(`berth: invalid argument "${last}" for "-n, --last" flag: must be an integer`);
      return 125;
    }
    const backend = await cli.backend();
    // as docker: a template that shows .Size computes sizes without -s
    const size = bool(opts, 'size') || /\.Size\b/.test(str(opts, 'format') ?? '');
    const cs = await backend.listContainers({
      all: bool(opts, 'all'),
      ...(last !== undefined ? { last: Number(last) } : {}),
      latest: bool(opts, 'latest'),
      size,
      filters: parseFilterArgs(list(opts, 'filter')),
    });
    const columns = [
      { header: 'CONTAINER ID', field: 'ID' },
      { header: 'IMAGE', field: 'Image' },
      { header: 'COMMAND', field: 'Command' },
      { header: 'CREATED', field: 'RunningFor' },
      { header: 'STATUS', field: 'Status' },
      { header: 'PORTS', field: 'Ports' },
      { header: 'NAMES', field: 'Names' },
      ...(size ? [{ header: 'SIZE', field: 'Size' }] : []),
    ];
    printList(
      cli,
      psRows(cs, opts.trunc === false),
      {
        columns,
        headers: {
          ID: 'CONTAINER ID',
          Image: 'IMAGE',
          Command: 'COMMAND',
          CreatedAt: 'CREATED AT',
          RunningFor: 'CREATED',
          Ports: 'PORTS',
          State: 'STATE',
          Status: 'STATUS',
          Size: 'SIZE',
          Names: 'NAMES',
          Labels: 'LABELS',
          Mounts: 'MOUNTS',
          Networks: 'NETWORKS',
          LocalVolumes: 'LOCAL VOLUMES',
        },
        idField: 'ID',
      },
      { format: str(opts, 'format'), quiet: bool(opts, 'quiet') },
    );
  },
};
