/** `berth history`: the layers of an image, newest first, as docker prints them. */
import type { HistoryItem } from '../../client/api.js';
import { humanSize, timeAgo } from '../../client/format/humanize.js';
import { ellipsis } from '../../client/format/table.js';
import { UsageError } from '../context.js';
import { printList } from '../output.js';
import { bool, str, type Verb } from '../verb.js';

const p2 = (n: number) => String(n).padStart(2, '0');

/** Go's time.Unix(s, 0).Format(time.RFC3339) in local time: "2026-11-23T22:51:43Z" or "...+01:00". */
export function rfc3339Local(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const off = -d.getTimezoneOffset();
  const zone =
    off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p2(Math.floor(Math.abs(off) / 60))}:${p2(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}${zone}`;
}

/** Go's strconv.ParseBool, as pflag reads `-H=false`. */
export function parseBoolFlag(value: unknown, flag: string): boolean {
  if (value === undefined || value === true) return true;
  const v = String(value).replace(/^=/, '');
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new UsageError(`invalid argument "${v}" for "${flag}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

/** docker's historyContext: sizes and times human or raw, CREATED BY cut to 45 runes unless noTrunc. */
export function historyRows(
  items: HistoryItem[],
  noTrunc: boolean,
  human: boolean,
  now = new Date(),
): Record<string, string>[] {
  return items.map((h) => {
    const createdBy = h.CreatedBy.replace(/\t/g, ' ');
    const createdAt = rfc3339Local(h.Created);
    return {
      ID: h.Id === '<missing>' || noTrunc ? h.Id : h.Id.slice(7, 19),
      CreatedSince: human ? timeAgo(new Date(h.Created * 1000), now) : createdAt,
      CreatedAt: createdAt,
      CreatedBy: noTrunc ? createdBy : ellipsis(createdBy, 45),
      Size: human ? humanSize(h.Size) : String(h.Size),
      Comment: h.Comment,
    };
  });
}

export const verb: Verb = {
  paths: [['history'], ['image', 'history']],
  summary: 'Show the history of an image',
  configure(cmd) {
    cmd
      .argument('<IMAGE>')
      .option('--format <string>', "Format output using a custom template: 'table', 'json', or a Go template")
      .option('-H, --human [bool]', 'Print sizes and dates in human readable format (default true)')
      .option('--no-trunc', "Don't truncate output")
      .option('-q, --quiet', 'Only show image IDs');
  },
  async run(cli, args, opts) {
    const human = parseBoolFlag(opts.human, '-H, --human');
    const backend = await cli.backend();
    const items = await backend.imageHistory(args[0]!);
    printList(
      cli,
      historyRows(items, opts.trunc === false, human),
      {
        columns: [
          { header: 'IMAGE', field: 'ID' },
          human ? { header: 'CREATED', field: 'CreatedSince' } : { header: 'CREATED AT', field: 'CreatedAt' },
          { header: 'CREATED BY', field: 'CreatedBy' },
          { header: 'SIZE', field: 'Size' },
          { header: 'COMMENT', field: 'Comment' },
        ],
        headers: {
          ID: 'IMAGE',
          CreatedSince: 'CREATED',
          CreatedAt: 'CREATED AT',
          CreatedBy: 'CREATED BY',
          Size: 'SIZE',
          Comment: 'COMMENT',
        },
        idField: 'ID',
        contextType: '*image.historyContext',
      },
      { format: str(opts, 'format'), quiet: bool(opts, 'quiet') },
    );
  },
};
