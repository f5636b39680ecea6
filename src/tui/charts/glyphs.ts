/**
 * Characters of each charset. The plot is drawn once on a braille dot canvas (2×4 dots a cell, bit
 * layout of Unicode's braille block: dot (x, y) is bit DOT_BITS[y][x]); block and ASCII charts are
 * that canvas read at their coarser resolution, cell by cell, through a 256-entry table.
 */
import type { Charset } from './types.js';

const DOT_BITS = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
] as const;

/** Bits of the braille dot row y (0 top .. 3 bottom), both columns. */
function rowBits(y: number): number {
  return DOT_BITS[y]![0] | DOT_BITS[y]![1];
}

/** Quadrant blocks indexed by upper-left 1, upper-right 2, lower-left 4, lower-right 8. */
const QUADRANTS = [' ', '▘', '▝', '▀', '▖', '▌', '▞', '▛', '▗', '▚', '▐', '▜', '▄', '▙', '▟', '█'];

function brailleGlyph(mask: number): string {
  return mask === 0 ? ' ' : String.fromCharCode(0x2800 + mask);
}

/** Quadrant of a cell: a quarter is set when any of its 2×2 braille dots is. */
function blockGlyph(mask: number): string {
  const left = DOT_BITS[0][0] | DOT_BITS[1][0] | DOT_BITS[2][0] | DOT_BITS[3][0];
  const top = rowBits(0) | rowBits(1);
  const bottom = rowBits(2) | rowBits(3);
  const right = 0xff & ~left;
  let q = 0;
  if (mask & top & left) q |= 1;
  if (mask & top & right) q |= 2;
  if (mask & bottom & left) q |= 4;
  if (mask & bottom & right) q |= 8;
  return QUADRANTS[q]!;
}

/**
 * ASCII: a line crossing the cell vertically (dots three or more rows apart) is '|'; otherwise the
 * height of the dots in the cell picks "'" (top), '-' (middle) or '_' (bottom).
 */
function asciiGlyph(mask: number): string {
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < 4; y++) {
    if (mask & rowBits(y)) {
      if (top < 0) top = y;
      bottom = y;
    }
  }
  if (top < 0) return ' ';
  if (bottom - top >= 2) return '|';
  const mid = (top + bottom) / 2;
  if (mid <= 0.5) return "'";
  if (mid <= 2) return '-';
  return '_';
}

function table(glyph: (mask: number) => string): readonly string[] {
  return Array.from({ length: 256 }, (_, mask) => glyph(mask));
}

const TABLES: Record<Charset, readonly string[]> = {
  braille: table(brailleGlyph),
  block: table(blockGlyph),
  ascii: table(asciiGlyph),
};

/** The character for a cell whose braille dots are `mask`. */
export function glyphTable(charset: Charset): readonly string[] {
  return TABLES[charset];
}

/** Axis characters: y axis, y axis at a tick, the corner, the time axis. */
export interface AxisChars {
  vertical: string;
  tick: string;
  corner: string;
  horizontal: string;
}

const BOX: AxisChars = { vertical: '│', tick: '┤', corner: '└', horizontal: '─' };
const PLAIN: AxisChars = { vertical: '|', tick: '+', corner: '+', horizontal: '-' };

export function axisChars(charset: Charset): AxisChars {
  return charset === 'ascii' ? PLAIN : BOX;
}
