/**
 * The main panel's text tabs as lines: inspect (docker's indented JSON),
 * top, diff, history and a volume's or a network's containers, in the words and columns the
 * docker CLI prints.
 */
import type { ContainerSummary, FilesystemChange, HistoryItem, NetworkResource, TopResult } from '../../client/api.js';
import { humanSize, timeAgo } from '../../client/format/humanize.js';
import { shortId } from '../../client/format/table.js';
import { cleanText } from './clean-text.js';
import { fit, width } from './columns.js';
import { containerName } from './rows.js';

// every line drawn here can carry text an image or a container chose: cleaned of escapes
const toLines = (s: string) => s.replace(/\n$/, '').split('\n').map(cleanText);

/** A table as tight as its cells (two spaces between columns): panels are narrower than a terminal. */
export function compactTable(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows].map((r) => r.map(cleanText));
  const widths = header.map((_, c) => Math.max(...all.map((r) => width(r[c] ?? ''))));
  return all.map((r) => r.map((cell, c) => (c < r.length - 1 ? fit(cell, widths[c]!) : cell)).join('  '));
}

export function inspectLines(obj: unknown): string[] {
  return toLines(JSON.stringify(obj, null, 4));
}

export function topLines(t: TopResult): string[] {
  if (!t.Processes.length) return ['no processes'];
  return compactTable(t.Titles, t.Processes);
}

const KIND = ['C', 'A', 'D'] as const;

export function diffLines(changes: readonly FilesystemChange[]): string[] {
  if (!changes.length) return ["no changes to the image's file system"];
  return changes.map((c) => `${KIND[c.Kind]} ${cleanText(c.Path)}`);
}

export function historyLines(items: readonly HistoryItem[], now: Date): string[] {
  // docker's columns, with the long CREATED BY last so a narrow panel cuts only it
  const rows = items.map((h) => [
    h.Id.startsWith('sha256:') ? shortId(h.Id) : h.Id,
    timeAgo(new Date(h.Created * 1000), now),
    humanSize(h.Size),
    h.Comment,
    h.CreatedBy.replace(/\s+/g, ' '),
  ]);
  return compactTable(['IMAGE', 'CREATED', 'SIZE', 'COMMENT', 'CREATED BY'], rows);
}

export function volumeUserLines(volume: string, cs: readonly ContainerSummary[]): string[] {
  const rows: string[][] = [];
  for (const c of cs) {
    for (const m of c.Mounts) {
      if (m.Type === 'volume' && m.Name === volume)
        rows.push([containerName(c), c.State, m.Destination, m.RW ? 'rw' : 'ro']);
    }
  }
  if (!rows.length) return [`no container uses ${volume}`];
  return compactTable(['CONTAINER', 'STATE', 'MOUNTED AT', 'MODE'], rows);
}

/** A network's running containers: name, addresses, MAC (docker's NetworkResource.Containers). */
export function networkMemberLines(n: NetworkResource): string[] {
  const rows = Object.values(n.Containers).map((c) => [
    c.Name,
    c.IPv4Address || '-',
    ...(n.EnableIPv6 ? [c.IPv6Address || '-'] : []),
    c.MacAddress || '-',
  ]);
  if (!rows.length) return [`no running container is on ${n.Name}`];
  return compactTable(['CONTAINER', 'IPV4 ADDRESS', ...(n.EnableIPv6 ? ['IPV6 ADDRESS'] : []), 'MAC ADDRESS'], rows);
}
