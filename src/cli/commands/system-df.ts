/**
 * `berth system df [-v]`: disk usage by images, containers and volumes, as
 * the docker CLI prints it (sizes in go-units' HumanSize, "1.982MB").
 */
import type { DiskUsage, ImageSummary } from '../../client/api.js';
import { humanSize, timeAgo } from '../../client/format/humanize.js';
import { renderTable } from '../../client/format/table.js';
import type { Cli } from '../context.js';
import { compileTemplate } from '../../client/format/template.js';
import { goStruct } from '../../client/format/go-value.js';
import { formatterContexts, printList } from '../output.js';
import { bool, str, type Verb } from '../verb.js';
import { imageRows } from './images.js';
import { psRows } from './ps.js';

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
      Size: humanSize(du.layersSize, 4),
      Reclaimable: humanSize(du.layersSize - used, 4) + pct(du.layersSize - used, du.layersSize),
    },
    {
      Type: 'Containers',
      TotalCount: String(du.containers.length),
      Active: String(ctrActive.length),
      Size: humanSize(ctrSize, 4),
      Reclaimable: humanSize(ctrReclaim, 4) + pct(ctrReclaim, ctrSize),
    },
    {
      Type: 'Local Volumes',
      TotalCount: String(du.volumes.length),
      Active: String(volActive.length),
      Size: humanSize(volSize, 4),
      Reclaimable: humanSize(volReclaim, 4) + pct(volReclaim, volSize),
    },
    buildCacheRow(du),
  ];
}

/** docker's diskUsageBuilderContext: shared records (layers an image has too) are not counted in the size. */
function buildCacheRow(du: DiskUsage): Record<string, string> {
  const size = du.buildCache.filter((b) => !b.shared).reduce((s, b) => s + b.size, 0);
  const inUse = du.buildCache.filter((b) => b.inUse && !b.shared).reduce((s, b) => s + b.size, 0);
  return {
    Type: 'Build Cache',
    TotalCount: String(du.buildCache.length),
    Active: String(du.buildCache.filter((b) => b.inUse).length),
    Size: humanSize(size, 4),
    Reclaimable: humanSize(size - inUse, 4),
  };
}

/** The build cache rows of `system df -v`, most recently used first. */
export function dfBuildCacheRows(du: DiskUsage, now = new Date()): string[][] {
  return [...du.buildCache]
    .sort((a, b) => b.lastUsedAt - a.lastUsedAt)
    .map((b) => [
      b.id.slice(0, 12),
      b.type,
      humanSize(b.size, 4),
      timeAgo(new Date(b.createdAt), now),
      timeAgo(new Date(b.lastUsedAt), now),
      String(b.usageCount),
      String(b.shared),
    ]);
}

/** The images of a disk-usage report (newest first), one row each with its first tag, as docker's df -v prints them. */
export function dfImageRows(du: DiskUsage, now = Date.now()): Record<string, string>[] {
  const images: ImageSummary[] = du.images.map((i) => ({
    Id: i.id,
    ParentId: '',
    RepoTags: i.tags.slice(0, 1),
    RepoDigests: [],
    Created: i.created,
    Size: i.size,
    SharedSize: i.sharedSize,
    VirtualSize: i.size,
    Labels: {},
    Containers: i.containers,
  }));
  return imageRows(images, false, now);
}

function section(cli: Cli, title: string, header: string[], rows: string[][]): void {
  cli.out(title);
  cli.out('');
  cli.stdout.write(renderTable(header, rows));
}

export const verb: Verb = {
  paths: [['system', 'df']],
  summary: 'Show disk usage',
  configure(cmd) {
    cmd
      .option('-v, --verbose', 'Show detailed information on space usage')
      .option('--format <string>', 'Format output');
  },
  async run(cli, _args, opts) {
    const backend = await cli.backend();
    const du = await backend.diskUsage();
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
    const images = dfImageRows(du);
    // df shows a container's own size, not the virtual size
    const summaries = await backend.listContainers({ all: true, size: true });
    const containers: Record<string, string>[] = psRows(summaries, false).map((c, i) => ({
      ...c,
      Size: humanSize(summaries[i]!.SizeRw ?? 0),
    }));
    const volumes = du.volumes.map((v) => ({
      Name: v.name,
      Links: String(v.links),
      Size: v.size < 0 ? 'N/A' : humanSize(v.size, 4),
    }));
    const format = str(opts, 'format');
    if (format && format !== 'table') {
      // a template runs once over the whole report, as in docker
      const render = compileTemplate(format === 'json' ? '{{json .}}' : format);
      const report = {
        Images: formatterContexts(images, '*formatter.imageContext'),
        Containers: formatterContexts(containers, '*formatter.ContainerContext'),
        Volumes: formatterContexts(volumes, '*formatter.volumeContext'),
        BuildCache: formatterContexts(
          dfBuildCacheRows(du).map(([ID, CacheType, Size, CreatedSince, LastUsedSince, UsageCount, Shared]) => ({
            ID: ID!,
            CacheType: CacheType!,
            Size: Size!,
            CreatedSince: CreatedSince!,
            LastUsedSince: LastUsedSince!,
            UsageCount: UsageCount!,
            Shared: Shared!,
          })),
          '*formatter.buildCacheContext',
        ),
      };
      cli.out(render(goStruct(report, { type: '*formatter.diskUsageContext' })));
      return;
    }
    section(
      cli,
      'Images space usage:',
      ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'],
      images.map((r) => [
        r.Repository!,
        r.Tag!,
        r.ID!,
        r.CreatedSince!,
        r.Size!,
        r.SharedSize!,
        r.UniqueSize!,
        r.Containers!,
      ]),
    );
    cli.out('');
    section(
      cli,
      'Containers space usage:',
      ['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'],
      containers.map((c) => [
        c.ID!,
        c.Image!,
        c.Command!,
        c.LocalVolumes!,
        c.Size!,
        c.RunningFor!,
        c.Status!,
        c.Names!,
      ]),
    );
    cli.out('');
    section(
      cli,
      'Local Volumes space usage:',
      ['VOLUME NAME', 'LINKS', 'SIZE'],
      volumes.map((v) => [v.Name, v.Links, v.Size]),
    );
    cli.out('');
    const cacheSize = du.buildCache.filter((b) => !b.shared).reduce((s, b) => s + b.size, 0);
    cli.out(`Build cache usage: ${humanSize(cacheSize, 4)}`);
    cli.out('');
    cli.stdout.write(
      renderTable(['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'LAST USED', 'USAGE', 'SHARED'], dfBuildCacheRows(du)),
    );
  },
};
