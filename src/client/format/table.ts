/**
 * Tables as the docker CLI prints them: Go's text/tabwriter with minwidth 10,
 * padding 3, blanks; the last column is not padded.
 */
import stringWidth from 'string-width';

const MIN_WIDTH = 10;
const PADDING = 3;

export function renderTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const cols = Math.max(...all.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < cols - 1; c++) {
    let w = 0;
    for (const r of all) if (c < r.length - 1) w = Math.max(w, stringWidth(r[c] ?? '') + PADDING);
    widths.push(Math.max(w, MIN_WIDTH));
  }
  let out = '';
  for (const r of all) {
    let line = '';
    r.forEach((cell, c) => {
      line += c < r.length - 1 ? cell + ' '.repeat(Math.max(0, widths[c]! - stringWidth(cell))) : cell;
    });
    out += line + '\n';
  }
  return out;
}

/** docker's stringutils.Ellipsis: cut to max runes with a trailing "…". */
export function ellipsis(s: string, max: number): string {
  const r = [...s];
  if (r.length <= max) return s;
  if (max <= 3) return r.slice(0, max).join('');
  return r.slice(0, max - 1).join('') + '…';
}

/** A 12-character ID without "sha256:". */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
