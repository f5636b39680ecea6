/**
 * Draws series as lines on a braille dot canvas (drawille) with Bresenham's algorithm and reads the
 * canvas back cell by cell: the dot mask of every cell and which series drew in it last (its colour).
 */
import bresenham from 'bresenham';
import drawille from 'drawille';
import type { ChartSeries } from './types.js';

// drawille is CommonJS whose types say `export default`; under Node's ESM interop the default import
// is module.exports, the Canvas class itself.
const Canvas = drawille as unknown as typeof drawille.default;

export const DOTS_X = 2;
export const DOTS_Y = 4;

/** The area a plot maps values and times onto. */
export interface PlotFrame {
  cols: number;
  rows: number;
  /** Time at the left edge and at the right edge, ms. */
  t0: number;
  t1: number;
  /** Value at the bottom edge and at the top edge. */
  y0: number;
  y1: number;
}

export interface PlotCells {
  cols: number;
  rows: number;
  /** Braille dot bits of each cell, row-major. */
  masks: Uint8Array;
  /** Index (in the series array) of the last series with a dot in each cell, -1 for none. */
  owners: Int16Array;
  /** The dots of that last series alone in each cell. */
  ownMasks: Uint8Array;
}

/** Where x lands between the edges, as a dot column (may be outside the plot). */
function dotX(t: number, f: PlotFrame, width: number): number {
  return ((t - f.t0) / (f.t1 - f.t0)) * (width - 1);
}

/** The dot row of a value, clamped to the plot: values beyond a fixed range sit on its edge. */
function dotY(v: number, f: PlotFrame, height: number): number {
  const y = Math.round(((f.y1 - v) / (f.y1 - f.y0)) * (height - 1));
  return Math.min(height - 1, Math.max(0, y));
}

/** Draws the segment, cut to the columns of the plot so a point far in the past costs nothing. */
function segment(
  set: (x: number, y: number) => void,
  xa: number,
  ya: number,
  xb: number,
  yb: number,
  width: number,
): void {
  if (xb < 0 || xa > width - 1) return;
  if (xa < 0) {
    ya += ((yb - ya) * (0 - xa)) / (xb - xa);
    xa = 0;
  }
  if (xb > width - 1) {
    yb = ya + ((yb - ya) * (width - 1 - xa)) / (xb - xa);
    xb = width - 1;
  }
  bresenham(Math.round(xa), Math.round(ya), Math.round(xb), Math.round(yb), set);
}

/** Plots every series with a line (series with `line: false` are skipped) into cells of frame.cols × frame.rows. */
export function plotSeries(series: readonly ChartSeries[], f: PlotFrame): PlotCells {
  const width = f.cols * DOTS_X;
  const height = f.rows * DOTS_Y;
  const canvas = new Canvas(width, height);
  const set = (x: number, y: number) => canvas.set(x, y);
  const n = f.cols * f.rows;
  const masks = new Uint8Array(n);
  const owners = new Int16Array(n).fill(-1);
  const ownMasks = new Uint8Array(n);
  series.forEach((s, index) => {
    if (s.line === false) return;
    canvas.clear();
    let px = NaN;
    let py = NaN;
    const count = Math.min(s.times.length, s.values.length);
    for (let i = 0; i < count; i++) {
      const v = s.values[i]!;
      if (!Number.isFinite(v)) {
        px = NaN;
        continue;
      }
      const x = dotX(s.times[i]!, f, width);
      const y = dotY(v, f, height);
      if (Number.isNaN(px)) {
        if (x >= 0 && x <= width - 1) set(Math.round(x), y);
      } else {
        segment(set, px, py, x, y, width);
      }
      px = x;
      py = y;
    }
    const frame = canvas.frame('');
    for (let k = 0; k < n; k++) {
      const code = frame.charCodeAt(k);
      if (code === 0x20) continue;
      masks[k] |= code - 0x2800;
      ownMasks[k] = code - 0x2800;
      owners[k] = index;
    }
  });
  return { cols: f.cols, rows: f.rows, masks, owners, ownMasks };
}
