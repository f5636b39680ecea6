/**
 * `berth search [--limit N] [-f FILTER] [--no-trunc] [--format F] TERM`:
 * Docker Hub's table (NAME, DESCRIPTION, STARS, OFFICIAL, AUTOMATED), or for
 * REGISTRY/TERM that registry's repositories; `--list-tags` (podman's flag)
 * lists a repository's tags.
 */
import type { SearchResult } from '../../client/api.js';
import { searchRows } from '../../client/format/search-rows.js';
import { UsageError } from '../context.js';
import { printList, type ListSpec } from '../output.js';
import { bool, collect, filterFlag, str, type Verb } from '../verb.js';

const spec: ListSpec = {
  columns: [
    { header: 'NAME', field: 'Name' },
    { header: 'DESCRIPTION', field: 'Description' },
    { header: 'STARS', field: 'StarCount' },
    { header: 'OFFICIAL', field: 'IsOfficial' },
    { header: 'AUTOMATED', field: 'IsAutomated' },
  ],
  headers: {
    Name: 'NAME',
    Description: 'DESCRIPTION',
    StarCount: 'STARS',
    IsOfficial: 'OFFICIAL',
    IsAutomated: 'AUTOMATED',
  },
  idField: 'Name',
};

function applyFilters(results: SearchResult[], filters: Map<string, string[]>): SearchResult[] {
  for (const key of filters.keys()) {
    if (!['stars', 'is-official', 'is-automated'].includes(key)) throw new UsageError(`Invalid filter '${key}'`);
  }
  const bools = (key: string): boolean | null => {
    const v = filters.get(key);
    if (!v?.length) return null;
    const last = v[v.length - 1]!;
    if (last !== 'true' && last !== 'false') throw new UsageError(`Invalid filter '${key}=${last}'`);
    return last === 'true';
  };
  let stars = 0;
  for (const v of filters.get('stars') ?? []) {
    if (!/^\d+$/.test(v)) throw new UsageError(`Invalid filter 'stars=${v}'`);
    stars = Math.max(stars, Number(v));
  }
  const official = bools('is-official');
  const automated = bools('is-automated');
  return results.filter(
    (r) =>
      r.star_count >= stars &&
      (official === null || r.is_official === official) &&
      (automated === null || r.is_automated === automated),
  );
}

export const verb: Verb = {
  paths: [['search']],
  summary: 'Search registries for images',
  configure(cmd) {
    cmd
      .argument('<TERM>')
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
      .option('--format <string>', 'Pretty-print search using a Go template')
      .option('--limit <int>', 'Max number of search results', '25')
      .option('--no-trunc', "Don't truncate output")
      .option('--list-tags', "List the tags of the repository (podman's flag)");
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    const term = args[0]!;
    if (bool(opts, 'listTags')) {
      const { name, tags } = await backend.listTags(term);
      printList(
        cli,
        tags.map((t) => ({ Name: name, Tag: t })),
        {
          columns: [
            { header: 'NAME', field: 'Name' },
            { header: 'TAG', field: 'Tag' },
          ],
          headers: { Name: 'NAME', Tag: 'TAG' },
          idField: 'Name',
        },
        { format: str(opts, 'format') },
      );
      return;
    }
    const limitText = str(opts, 'limit') ?? '25';
    if (!/^-?\d+$/.test(limitText))
      throw new UsageError(
        `invalid argument "${limitText}" for "--limit" flag: strconv.ParseInt: parsing "${limitText}": invalid syntax`,
      );
    const filters = filterFlag(opts, 'filter', '-f, --filter');
    const results = applyFilters(await backend.searchImages(term, { limit: Number(limitText) }), filters);
    printList(cli, searchRows(results, opts.trunc === false), spec, { format: str(opts, 'format') });
  },
};
