/**
 * Fitting text into terminal cells: display width (wide characters count
 * two), truncation with an ellipsis, padding, and laying out table columns
 * in a given width (low-priority columns drop out first when it is narrow).
 */
import stringWidth from 'string-width';
import { cleanText, hasControls } from './clean-text.js';

const ASCII_ONLY = /^[\x20-\x7e]*$/;

export function width(s: string): number {
  return ASCII_ONLY.test(s) ? s.length : stringWidth(s);
}

/** Cut to at most `w` cells, ending with `ell` when cut. Escapes and control characters never get through. */
export function truncate(s: string, w: number, ell = '…'): string {
  if (w <= 0) return '';
  if (ASCII_ONLY.test(s)) return s.length <= w ? s : w <= ell.length ? s.slice(0, w) : s.slice(0, w - width(ell)) + ell;
  if (hasControls(s)) s = cleanText(s);
  if (stringWidth(s) <= w) return s;
  const room = w - width(ell);
  let out = '';
  let used = 0;
  for (const ch of s) {
    const cw = stringWidth(ch);
    if (used + cw > room) break;
    out += ch;
    used += cw;
  }
  return room > 0 ? out + ell : out;
}

/** Exactly `w` cells: truncated or padded (on the left for right-aligned). */
export function fit(s: string, w: number, align: 'left' | 'right' = 'left', ell = '…'): string {
  const t = truncate(s, w, ell);
  const pad = ' '.repeat(Math.max(0, w - width(t)));
  return align === 'right' ? pad + t : t + pad;
}

export interface Column {
  key: string;
  title: string;
  /** Smallest useful width. */
  min: number;
  /** Share of the spare width (0: stays at min). */
  grow?: number;
  /** Largest width it grows to. */
  max?: number;
  align?: 'left' | 'right';
  /** Higher stays longer when the width is short; the first column never drops. */
  priority: number;
}

export interface LaidColumn extends Column {
  width: number;
}

/** Choose the columns that fit in `total` cells (one space between) and share out the rest. */
export function layoutColumns(cols: readonly Column[], total: number): LaidColumn[] {
  let shown = [...cols];
  const need = (cs: Column[]) => cs.reduce((n, c) => n + c.min, 0) + Math.max(0, cs.length - 1);
  while (shown.length > 1 && need(shown) > total) {
    const drop = shown.slice(1).reduce((a, c) => (c.priority < a.priority ? c : a));
    shown = shown.filter((c) => c !== drop);
  }
  const laid = shown.map((c) => ({ ...c, width: c.min }));
  let spare = total - need(shown);
  // hand out the spare width by grow share, respecting max; repeat while some is left
  for (let round = 0; round < 4 && spare > 0; round++) {
    const growing = laid.filter((c) => (c.grow ?? 0) > 0 && c.width < (c.max ?? Infinity));
    const shares = growing.reduce((n, c) => n + c.grow!, 0);
    if (!shares) break;
    let given = 0;
    for (const c of growing) {
      const add = Math.min(Math.floor((spare * c.grow!) / shares), (c.max ?? Infinity) - c.width);
      c.width += add;
      given += add;
    }
    if (!given) {
      growing[0]!.width += 1;
      given = 1;
    }
    spare -= given;
  }
  if (laid.length === 1) laid[0]!.width = Math.max(0, total);
  return laid;
}

/** One line of cells. */
export function formatCells(cols: readonly LaidColumn[], cells: Record<string, string>, ell = '…'): string {
  return cols.map((c) => fit(cells[c.key] ?? '', c.width, c.align, ell)).join(' ');
}

export function formatHeader(cols: readonly LaidColumn[]): string {
  return cols.map((c) => fit(c.title, c.width, c.align)).join(' ');
}

/**
 * `s` in lines of at most `w` cells, broken at spaces where it can be (a
 * longer word is cut), at most `max` lines: the last ends with `ell` when
 * there was more.
 */
export function wrapCells(s: string, w: number, max: number, ell = '…'): string[] {
  if (hasControls(s)) s = cleanText(s);
  if (w <= 0) return [''];
  const out: string[] = [];
  let line = '';
  for (let word of s.split(' ')) {
    const sep = line ? ' ' : '';
    if (width(line + sep + word) <= w) {
      line += sep + word;
      continue;
    }
    if (line) out.push(line);
    while (width(word) > w) {
      const head = truncate(word, w, '');
      out.push(head);
      word = word.slice(head.length);
    }
    line = word;
  }
  out.push(line);
  if (out.length <= max) return out;
  const kept = out.slice(0, max);
  kept[max - 1] = truncate(`${kept[max - 1]} ${out[max]}`, w - width(ell), '') + ell;
  return kept;
}
