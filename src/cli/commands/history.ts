/** `berth history`: the layers of an image, newest first, as docker prints them. */
import { humanSize, timeAgo } from '../../client/format/humanize.js';
import { ellipsis } from '../../client/format/table.js';
import { printList } from '../output.js';
import { bool, str, type Verb } from '../verb.js';
import { goTimeString } from './images.js';

export const verb: Verb = {
  paths: [['history'], ['image', 'history']],
  summary: 'Show the history of an image',
  configure(cmd) {
    cmd
      .argument('<IMAGE>')
      .option('--format <string>', 'Format output using a custom template')
      .option('-H, --human [bool]', 'Print sizes and dates in human readable format', 'true')
      .option('--no-trunc', "Don't truncate output")
      .option('-q, --quiet', 'Only show image IDs');
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    const items = await backend.imageHistory(args[0]!);
    const noTrunc = opts.trunc === false;
    const human = String(opts.human) !== 'false';
    const now = new Date();
    const rows = items.map((h) => {
      const createdBy = h.CreatedBy.replace(/\t/g, ' ');
      return {
        ID: h.Id === '<missing>' || noTrunc ? h.Id : h.Id.slice(7, 19),
        CreatedSince: human ? timeAgo(new Date(h.Created * 1000), now) : new Date(h.Created * 1000).toISOString().replace('.000Z', 'Z'),
        CreatedAt: goTimeString(h.Created),
        CreatedBy: noTrunc ? createdBy : ellipsis(createdBy, 45),
        Size: human ? humanSize(h.Size) : String(h.Size),
        Comment: h.Comment,
      };
    });
    printList(
      cli,
      rows,
      {
        columns: [
          { header: 'IMAGE', field: 'ID' },
          { header: 'CREATED', field: 'CreatedSince' },
          { header: 'CREATED BY', field: 'CreatedBy' },
          { header: 'SIZE', field: 'Size' },
          { header: 'COMMENT', field: 'Comment' },
        ],
        headers: { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' },
        idField: 'ID',
      },
      { format: str(opts, 'format'), quiet: bool(opts, 'quiet') },
    );
  },
};
