import { describe, expect, it } from 'vitest';
import { layoutCharts, type ChartBox } from '../../src/tui/charts/index.js';

const box = (x: number, y: number, width: number, height: number): ChartBox => ({ x, y, width, height });

describe('layoutCharts', () => {
  it('two columns on a wide panel; the fifth chart spans both', () => {
    expect(layoutCharts(120, 30)).toEqual({
      fits: true,
      columns: 2,
      boxes: [box(0, 0, 59, 10), box(61, 0, 59, 10), box(0, 10, 59, 10), box(61, 10, 59, 10), box(0, 20, 120, 10)],
    });
  });

  it('one column on a narrow, tall panel', () => {
    expect(layoutCharts(60, 40)).toEqual({
      fits: true,
      columns: 1,
      boxes: [0, 8, 16, 24, 32].map((y) => box(0, y, 60, 8)),
    });
    // leftover rows go to the first charts
    const l = layoutCharts(60, 33);
    expect(l.fits && l.boxes.map((b) => b.height)).toEqual([7, 7, 7, 6, 6]);
  });

  it('two columns on a narrow panel too short to stack five (the Stats tab at 80×24)', () => {
    expect(layoutCharts(45, 18)).toEqual({
      fits: true,
      columns: 2,
      boxes: [box(0, 0, 22, 6), box(24, 0, 21, 6), box(0, 6, 22, 6), box(24, 6, 21, 6), box(0, 12, 45, 6)],
    });
  });

  it('a wide panel too short for two columns stacks if it can, else says it does not fit', () => {
    expect(layoutCharts(100, 12)).toMatchObject({ fits: true, columns: 2 });
    expect(layoutCharts(100, 10)).toEqual({
      fits: false,
      message: 'Too small for the charts: 100×10; they need 20×20 (or 42×12 in two columns).',
    });
    expect(layoutCharts(30, 15)).toEqual({
      fits: false,
      message: 'Too small for the charts: 30×15; they need 20×20 (or 42×12 in two columns).',
    });
    expect(layoutCharts(40, 20)).toMatchObject({ fits: true, columns: 1 });
  });

  it('one chart, and options', () => {
    expect(layoutCharts(150, 10, 1)).toEqual({ fits: true, columns: 1, boxes: [box(0, 0, 150, 10)] });
    expect(layoutCharts(10, 3, 1)).toEqual({ fits: false, message: 'Too small for the charts: 10×3; they need 20×4.' });
    expect(layoutCharts(30, 10, 2, { minWidth: 10, minHeight: 3, wideAt: 30, gap: 0 })).toEqual({
      fits: true,
      columns: 2,
      boxes: [box(0, 0, 15, 10), box(15, 0, 15, 10)],
    });
  });

  it('every layout that fits stays inside the panel, without overlap, at least the minimum size', () => {
    for (let w = 1; w <= 160; w += 3) {
      for (let h = 1; h <= 50; h += 2) {
        const l = layoutCharts(w, h);
        if (!l.fits) {
          expect(w < 20 || h < 12 || (w < 42 && h < 20)).toBe(true);
          continue;
        }
        expect(l.boxes.length).toBe(5);
        let area = 0;
        for (const b of l.boxes) {
          expect(b.x >= 0 && b.y >= 0 && b.x + b.width <= w && b.y + b.height <= h).toBe(true);
          expect(b.width >= 20 && b.height >= 4).toBe(true);
          area += b.width * b.height;
        }
        for (const a of l.boxes)
          for (const b of l.boxes)
            if (a !== b)
              expect(
                a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y,
              ).toBe(true);
        // the panel is used: only the gap between columns is left over
        expect(area).toBe(w * h - (l.columns === 2 ? 2 * (h - l.boxes[4]!.height) : 0));
      }
    }
  });
});
