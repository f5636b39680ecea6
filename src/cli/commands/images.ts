/** `berth images` / `berth image ls`: docker's image list. */
import type { ImageSummary } from '../../client/api.js';
import { humanSize, timeAgo } from '../../client/format/humanize.js';
import { splitName } from '../../client/format/names.js';
import { printList, type ListSpec } from '../output.js';
import { bool, collect, filterFlag, str, type Verb } from '../verb.js';

const spec = (digests: boolean): ListSpec => ({
  columns: [
    { header: 'REPOSITORY', field: 'Repository' },
    { header: 'TAG', field: 'Tag' },
    ...(digests ? [{ header: 'DIGEST', field: 'Digest' }] : []),
    { header: 'IMAGE ID', field: 'ID' },
    { header: 'CREATED', field: 'CreatedSince' },
    { header: 'SIZE', field: 'Size' },
  ],
  headers: {
    Repository: 'REPOSITORY',
    Tag: 'TAG',
    Digest: 'DIGEST',
    ID: 'IMAGE ID',
    CreatedSince: 'CREATED',
    CreatedAt: 'CREATED AT',
    Size: 'SIZE',
    Containers: 'CONTAINERS',
    SharedSize: 'SHARED SIZE',
    UniqueSize: 'UNIQUE SIZE',
    VirtualSize: 'VIRTUAL SIZE',
  },
  idField: 'ID',
  contextType: '*formatter.imageContext',
});

/** docker's goTime: "2006-01-02 15:04:05 -0700 MST" in local time. */
export function goTimeString(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const zone = Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(d)
    .find((x) => x.type === 'timeZoneName')?.value;
  const abbr = off === 0 && (!zone || zone === 'GMT') ? 'UTC' : (zone ?? '');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ` +
    `${sign}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)} ${abbr}`
  );
}

/** One row per repository:tag, as the docker CLI prints images. */
export function imageRows(images: ImageSummary[], noTrunc: boolean, now = Date.now()): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  for (const img of images) {
    const base = {
      ID: noTrunc ? img.Id : img.Id.slice(7, 19),
      CreatedSince: timeAgo(new Date(img.Created * 1000), new Date(now)),
      CreatedAt: goTimeString(img.Created),
      Size: humanSize(img.Size),
      VirtualSize: humanSize(img.VirtualSize, 4),
      SharedSize: img.SharedSize < 0 ? 'N/A' : humanSize(img.SharedSize, 4),
      UniqueSize: img.SharedSize < 0 ? 'N/A' : humanSize(img.Size - img.SharedSize, 4),
      Containers: img.Containers < 0 ? 'N/A' : String(img.Containers),
    };
    const digests = new Map<string, string>();
    for (const d of img.RepoDigests) {
      const [repo, dg] = splitName(d);
      if (!digests.has(repo)) digests.set(repo, dg);
    }
    const tagged = img.RepoTags.map(splitName);
    if (!tagged.length && !digests.size) {
      rows.push({ ...base, Repository: '<none>', Tag: '<none>', Digest: '<none>' });
      continue;
    }
    const repos = new Set<string>();
    for (const [repo, tag] of tagged) {
      repos.add(repo);
      rows.push({ ...base, Repository: repo, Tag: tag, Digest: digests.get(repo) ?? '<none>' });
    }
    for (const [repo, dg] of digests) {
      if (!repos.has(repo)) rows.push({ ...base, Repository: repo, Tag: '<none>', Digest: dg });
    }
  }
  return rows;
}

export const verb: Verb = {
  paths: [['images'], ['image', 'ls'], ['image', 'list']],
  summary: 'List images',
  configure(cmd) {
    cmd
      .argument('[REPOSITORY[:TAG]]')
      .option('-a, --all', 'Show all images (default hides intermediate images)')
      .option('--digests', 'Show digests')
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
      .option('--format <string>', "Format output using a custom template: 'table', 'json', or a Go template")
      .option('--no-trunc', "Don't truncate output")
      .option('-q, --quiet', 'Only show image IDs');
  },
  async run(cli, args, opts) {
    const filters = filterFlag(opts, 'filter', '-f, --filter');
    if (args[0]) filters.set('reference', [...(filters.get('reference') ?? []), args[0]]);
    const backend = await cli.backend();
    const images = await backend.listImages({ all: bool(opts, 'all'), filters });
    const noTrunc = opts.trunc === false;
    printList(cli, imageRows(images, noTrunc), spec(bool(opts, 'digests')), {
      format: str(opts, 'format'),
      quiet: bool(opts, 'quiet'),
    });
  },
};
