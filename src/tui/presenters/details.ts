/**
 * The main panel's text tabs as lines: inspect (docker's indented JSON),
 * top, diff, history and a volume's users, in the words and columns the
 * docker CLI prints.
 */
import type { ContainerSummary, FilesystemChange, HistoryItem, TopResult } from '../../client/api.js';
import { humanSize, timeAgo } from '../../client/format/humanize.js';
import { renderTable, shortId } from '../../client/format/table.js';
import { containerName } from './rows.js';

const toLines = (s: string) => s.replace(/\n$/, '').split('\n');

export function inspectLines(obj: unknown): string[] {
  return toLines(JSON.stringify(obj, null, 4));
}

export function topLines(t: TopResult): string[] {
  if (!t.Processes.length) return ['no processes'];
  return toLines(renderTable(t.Titles, t.Processes));
}

const KIND = ['C', 'A', 'D'] as const;

export function diffLines(changes: readonly FilesystemChange[]): string[] {
  if (!changes.length) return ['no changes to the image\'s file system'];
  return changes.map((c) => `${KIND[c.Kind]} ${c.Path}`);
}

export function historyLines(items: readonly HistoryItem[], now: Date): string[] {
  const rows = items.map((h) => [
    h.Id.startsWith('sha256:') ? shortId(h.Id) : h.Id,
    timeAgo(new Date(h.Created * 1000), now),
    h.CreatedBy.replace(/\s+/g, ' '),
    humanSize(h.Size),
    h.Comment,
  ]);
  return toLines(renderTable(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], rows));
}

export function volumeUserLines(volume: string, cs: readonly ContainerSummary[]): string[] {
  const rows: string[][] = [];
  for (const c of cs) {
    for (const m of c.Mounts) {
      if (m.Type === 'volume' && m.Name === volume) rows.push([containerName(c), c.State, m.Destination, m.RW ? 'rw' : 'ro']);
    }
  }
  if (!rows.length) return [`no container uses ${volume}`];
  return toLines(renderTable(['CONTAINER', 'STATE', 'MOUNTED AT', 'MODE'], rows));
}
