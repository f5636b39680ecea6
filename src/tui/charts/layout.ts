/**
 * Lays out a number of charts (the Stats tab's five) in a panel: two columns on a wide panel, one
 * column stacked when the panel is narrow and tall enough, two columns on a narrow but short panel;
 * or says that the panel is too small.
 */

export interface ChartBox {
  /** Offsets from the panel's top-left corner, and size, in cells. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export type ChartLayout = { fits: true; columns: 1 | 2; boxes: ChartBox[] } | { fits: false; message: string };

export interface LayoutOptions {
  /** The smallest chart worth drawing (default 20×4: legend, two plot rows, time axis). */
  minWidth?: number;
  minHeight?: number;
  /** From this panel width on, two columns (default 100). */
  wideAt?: number;
  /** Below wideAt, one column only while every chart gets this many rows (default 6). */
  comfortableHeight?: number;
  /** Blank columns between the two columns (default 2). */
  gap?: number;
}

/** Splits `total` into `parts` sizes that differ by at most one, the larger ones first. */
function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

function grid(width: number, height: number, count: number, columns: 1 | 2, gap: number): ChartBox[] {
  const rows = Math.ceil(count / columns);
  const heights = split(height, rows);
  const widths = columns === 1 ? [width] : split(width - gap, 2);
  const boxes: ChartBox[] = [];
  let y = 0;
  for (let r = 0; r < rows; r++) {
    const inRow = Math.min(columns, count - r * columns);
    // an odd chart out in the last row of two columns gets the whole width
    const rowWidths = inRow === columns ? widths : [width];
    let x = 0;
    for (const w of rowWidths) {
      boxes.push({ x, y, width: w, height: heights[r]! });
      x += w + gap;
    }
    y += heights[r]!;
  }
  return boxes;
}

export function layoutCharts(width: number, height: number, count = 5, opts: LayoutOptions = {}): ChartLayout {
  const minWidth = opts.minWidth ?? 20;
  const minHeight = opts.minHeight ?? 4;
  const wideAt = opts.wideAt ?? 100;
  const comfortable = opts.comfortableHeight ?? 6;
  const gap = opts.gap ?? 2;
  const w = Math.floor(width);
  const h = Math.floor(height);
  if (count <= 0) return { fits: true, columns: 1, boxes: [] };
  const fits = (columns: 1 | 2, rowsNeeded: number) => {
    const rows = Math.ceil(count / columns);
    const colWidth = columns === 1 ? w : Math.floor((w - gap) / 2);
    return colWidth >= minWidth && Math.floor(h / rows) >= rowsNeeded;
  };
  const order: [1 | 2, number][] =
    count === 1
      ? [[1, minHeight]]
      : w >= wideAt
        ? [
            [2, minHeight],
            [1, minHeight],
          ]
        : [
            [1, comfortable],
            [2, minHeight],
            [1, minHeight],
          ];
  for (const [columns, rowsNeeded] of order) {
    if (fits(columns, rowsNeeded)) return { fits: true, columns, boxes: grid(w, h, count, columns, gap) };
  }
  const twoCols = count > 1 ? ` (or ${minWidth * 2 + gap}×${minHeight * Math.ceil(count / 2)} in two columns)` : '';
  return {
    fits: false,
    message: `Too small for the charts: ${w}×${h}; they need ${minWidth}×${minHeight * count}${twoCols}.`,
  };
}
