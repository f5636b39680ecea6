/** `berth system df [-v]`: disk usage by images, containers and volumes. */
import type { DiskUsage } from '../../client/api.js';
import { humanSize, timeAgo } from '../../client/format/humanize.js';
import { renderTable } from '../../client/format/table.js';
import { printList } from '../output.js';
import { bool, str, type Verb } from '../verb.js';

function pct(part: number, total: number): string {
  return total > 0 ? ` (${Math.floor((part * 100) / total)}%)` : '';
}

export function summaryRows(du: DiskUsage): Record<string, string>[] {
  const usedImages = du.images.filter((i) => i.containers > 0);
  const used = usedImages.reduce((s, i) => s + i.uniqueSize, 0);
  const ctrSize = du.containers.reduce((s, c) => s + c.sizeRw, 0);
  const ctrActive = du.containers.filter((c) => c.state === 'running' || c.state === 'paused');
  const ctrReclaim = du.containers.filter((c) => !ctrActive.includes(c)).reduce((s, c) => s + c.sizeRw, 0);
  const volSize = du.volumes.reduce((s, v) => s + Math.max(v.size, 0), 0);
  const volActive = du.volumes.filter((v) => v.links > 0);
  const volReclaim = du.volumes.filter((v) => v.links === 0).reduce((s, v) => s + Math.max(v.size, 0), 0);
  return [
    {
      Type: 'Images',
      TotalCount: String(du.images.length),
      Active: String(usedImages.length),
      Size: humanSize(du.layersSize),
      Reclaimable: humanSize(du.layersSize - used) + pct(du.layersSize - used, du.layersSize),
    },
    {
      Type: 'Containers',
      TotalCount: String(du.containers.length),
      Active: String(ctrActive.length),
      Size: humanSize(ctrSize),
      Reclaimable: humanSize(ctrReclaim) + pct(ctrReclaim, ctrSize),
    },
    {
      Type: 'Local Volumes',
      TotalCount: String(du.volumes.length),
      Active: String(volActive.length),
      Size: humanSize(volSize),
      Reclaimable: humanSize(volReclaim) + pct(volReclaim, volSize),
    },
    { Type: 'Build Cache', TotalCount: '0', Active: '0', Size: '0B', Reclaimable: '0B' },
  ];
}

export const verb: Verb = {
  paths: [['system', 'df']],
  summary: 'Show disk usage',
  configure(cmd) {
    cmd.option('-v, --verbose', 'Show detailed information on space usage').option('--format <string>', 'Format output');
  },
  async run(cli, _args, opts) {
    const du = await (await cli.backend()).diskUsage();
    if (!bool(opts, 'verbose')) {
      printList(
        cli,
        summaryRows(du),
        {
          columns: [
            { header: 'TYPE', field: 'Type' },
            { header: 'TOTAL', field: 'TotalCount' },
            { header: 'ACTIVE', field: 'Active' },
            { header: 'SIZE', field: 'Size' },
            { header: 'RECLAIMABLE', field: 'Reclaimable' },
          ],
          headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
          idField: 'Type',
        },
        { format: str(opts, 'format') },
      );
      return;
    }
    const now = new Date();
    cli.out('Images space usage:\n');
    const imgRows = du.images.flatMap((i) => {
      const names = i.tags.length ? i.tags : ['<none>:<none>'];
      return names.map((n) => {
        const c = n.lastIndexOf(':');
        return [n.slice(0, c), n.slice(c + 1), i.id.slice(7, 19), timeAgo(new Date(i.created * 1000), now), humanSize(i.size), humanSize(i.sharedSize), humanSize(i.uniqueSize), String(i.containers)];
      });
    });
    cli.stdout.write(renderTable(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'], imgRows));
    cli.out('\nContainers space usage:\n');
    cli.stdout.write(
      renderTable(
        ['CONTAINER ID', 'IMAGE', 'SIZE', 'CREATED', 'STATUS', 'NAMES'],
        du.containers.map((c) => [c.id.slice(0, 12), c.image, humanSize(c.sizeRw), timeAgo(new Date(c.created * 1000), now), c.state, c.names.join(',')]),
      ),
    );
    cli.out('\nLocal Volumes space usage:\n');
    cli.stdout.write(renderTable(['VOLUME NAME', 'LINKS', 'SIZE'], du.volumes.map((v) => [v.name, String(v.links), humanSize(v.size)])));
    cli.out('\nBuild cache usage: 0B');
  },
};
