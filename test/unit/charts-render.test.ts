import { describe, expect, it } from 'vitest';
import {
  chartText,
  countFormat,
  percentFormat,
  renderLineChart,
  type ChartSeries,
  type Charset,
  type LineChartOptions,
} from '../../src/tui/charts/index.js';

const ramp: ChartSeries = { label: '', color: 'green', times: [0, 1000, 2000, 3000], values: [0, 1, 2, 3] };

/** A chart whose every dot is worked out by hand in the comments of the tests below. */
function small(charset: Charset, extra: Partial<LineChartOptions> = {}) {
  return renderLineChart([ramp], {
    width: 8,
    height: 4,
    charset,
    format: countFormat,
    title: 'P',
    yMin: 0,
    yMax: 3,
    windowMs: 3000,
    ...extra,
  });
}

describe('renderLineChart: exact rows', () => {
  // Plot: 6 cells × 2 rows = 12 × 8 dots. x = t/3000·11 -> 0, 4, 7, 11; y = (3−v)/3·7 -> 7, 5, 2, 0.
  // Bresenham: (0,7)(1,6)(2,6)(3,5)(4,5) (5,4)(6,3)(7,2) (8,1)(9,1)(10,0)(11,0).
  // Row 0: cell 3 = (6,3)+(7,2) = 0x40|0x20 ⡠, cell 4 = (8,1)+(9,1) = 0x02|0x10 ⠒, cell 5 = (10,0)+(11,0) = 0x09 ⠉.
  // Row 1: cell 0 = (0,7)+(1,6) ⡠, cell 1 = (2,6)+(3,5) = 0x04|0x10 ⠔, cell 2 = (4,5)+(5,4) = 0x02|0x08 ⠊.
  it('braille', () => {
    expect(chartText(small('braille'))).toEqual(['P  3    ', '3┤   ⡠⠒⠉', '0┤⡠⠔⠊   ', ' └───now']);
  });

  it('block: quadrants of the same dots', () => {
    // ⡠ = bottom-left + bottom-right ▄; ⠒ = row 1 both columns ▀; ⠔ = lower-left + upper-right ▞
    expect(chartText(small('block'))).toEqual(['P  3    ', '3┤   ▄▀▀', '0┤▄▞▀   ', ' └───now']);
  });

  it('ascii: the height of the dots in each cell, plain axes', () => {
    expect(chartText(small('ascii'))).toEqual(['P  3    ', "3+   _-'", "0+_-'   ", ' +---now']);
  });

  it('segments carry the series colour, the axis colour and a bold title', () => {
    const rows = small('braille', { axisColor: 'gray' });
    expect(rows[0]).toEqual([
      { text: 'P', bold: true },
      { text: '  ' },
      { text: '3', color: 'green' },
      { text: '    ' },
    ]);
    expect(rows[1]).toEqual([{ text: '3┤', color: 'gray' }, { text: '   ' }, { text: '⡠⠒⠉', color: 'green' }]);
    expect(rows[2]).toEqual([{ text: '0┤', color: 'gray' }, { text: '⡠⠔⠊', color: 'green' }, { text: '   ' }]);
    expect(rows[3]).toEqual([{ text: ' └───now', color: 'gray' }]);
  });

  it('a cell two series share takes the later colour; braille and block show both, ascii the later', () => {
    const top: ChartSeries = { label: 'a', color: 'red', times: [0, 1000], values: [1, 1] };
    const bottom: ChartSeries = { label: 'b', color: 'blue', times: [0, 1000], values: [0, 0] };
    const opts = { width: 1, height: 1, format: percentFormat, yMin: 0, yMax: 1, windowMs: 1000, bare: true };
    // top: dots (0,0)(1,0) = 0x09; bottom: (0,3)(1,3) = 0xC0
    expect(renderLineChart([top, bottom], { ...opts, charset: 'braille' })).toEqual([[{ text: '⣉', color: 'blue' }]]);
    expect(renderLineChart([top, bottom], { ...opts, charset: 'block' })).toEqual([[{ text: '█', color: 'blue' }]]);
    expect(renderLineChart([top, bottom], { ...opts, charset: 'ascii' })).toEqual([[{ text: '_', color: 'blue' }]]);
    expect(renderLineChart([bottom, top], { ...opts, charset: 'ascii' })).toEqual([[{ text: "'", color: 'red' }]]);
  });

  it('NaN breaks the line', () => {
    const times = [0, 1000, 2000, 3000, 4000];
    const opts = {
      width: 3,
      height: 1,
      charset: 'braille' as const,
      format: percentFormat,
      yMin: 0,
      yMax: 1,
      windowMs: 4000,
      bare: true,
    };
    // x = t/4000·5 -> 0, 1.25, 2.5, 3.75, 5; all on dot row 0
    expect(chartText(renderLineChart([{ label: '', times, values: [1, 1, 1, 1, 1] }], opts))).toEqual(['⠉⠉⠉']);
    expect(chartText(renderLineChart([{ label: '', times, values: [1, 1, NaN, 1, 1] }], opts))).toEqual(['⠉ ⠉']);
  });

  it('a point before the window draws the line entering at the left edge, cut there', () => {
    const s: ChartSeries = { label: '', times: [-3000, 3000], values: [3, 0] };
    // (−3,0)–(3,3) cut at x = 0 to (0,1.5 -> 2)–(3,3): (0,2)(1,2)(2,3)(3,3)
    const rows = renderLineChart([s], {
      width: 2,
      height: 1,
      charset: 'braille',
      format: countFormat,
      yMin: 0,
      yMax: 3,
      windowMs: 3000,
      bare: true,
    });
    expect(chartText(rows)).toEqual(['⠤⣀']);
  });

  it('a point far in the past costs one segment, not a walk over every column it spans', () => {
    const s: ChartSeries = { label: '', times: [-1e15, 1000], values: [0, 0] };
    const rows = renderLineChart([s], {
      width: 2,
      height: 1,
      charset: 'braille',
      format: countFormat,
      yMin: 0,
      yMax: 1,
      windowMs: 1000,
      bare: true,
    });
    expect(chartText(rows)).toEqual(['⣀⣀']);
  });

  it('values beyond a fixed range sit on its edge', () => {
    const s: ChartSeries = { label: '', times: [0, 1000], values: [250, 250] };
    const rows = renderLineChart([s], {
      width: 1,
      height: 2,
      charset: 'braille',
      format: percentFormat,
      yMin: 0,
      yMax: 100,
      windowMs: 1000,
      bare: true,
    });
    expect(chartText(rows)).toEqual(['⠉', ' ']);
  });

  it('a lone point between gaps is still drawn', () => {
    const s: ChartSeries = { label: '', times: [0, 1000, 2000], values: [NaN, 1, NaN] };
    // x = t/2000·3 -> 1.5 -> column 2 (cell 1, left), dot row 0
    const rows = renderLineChart([s], {
      width: 2,
      height: 1,
      charset: 'braille',
      format: countFormat,
      yMin: 0,
      yMax: 1,
      windowMs: 2000,
      bare: true,
    });
    expect(chartText(rows)).toEqual([' ⠁']);
  });

  it('a one-row sparkline of a ramp', () => {
    const rows = renderLineChart([ramp], {
      width: 2,
      height: 1,
      charset: 'braille',
      format: countFormat,
      yMin: 0,
      yMax: 3,
      windowMs: 3000,
      bare: true,
    });
    // 4 × 4 dots: (0,3)(1,2) ⡠ and (2,1)(3,0) ⠊
    expect(rows).toEqual([[{ text: '⡠⠊', color: 'green' }]]);
  });
});

describe('renderLineChart: frame', () => {
  it('an empty chart: axes over 0..1 of the unit and "--" in the legend', () => {
    const rows = renderLineChart([{ label: '', times: [], values: [] }], {
      width: 12,
      height: 4,
      charset: 'braille',
      format: percentFormat,
      title: 'CPU',
    });
    expect(chartText(rows)).toEqual(['CPU  --     ', '1%┤         ', '0%┤         ', '  └60s───now']);
  });

  it('legend: label and latest finite value of each series, a legend-only series included; cut to the width', () => {
    const times = [0, 1000, 2000];
    const series: ChartSeries[] = [
      { label: 'rx', color: 'green', times, values: [NaN, 1, 2] },
      { label: 'tx', color: 'red', times, values: [5, 7, NaN] },
      { label: 'cap', times, values: [30, 30, 30], line: false },
    ];
    const rows = renderLineChart(series, {
      width: 40,
      height: 5,
      charset: 'braille',
      format: countFormat,
      title: 'Net',
    });
    expect(chartText(rows)[0]).toBe('Net  rx 2  tx 7  cap 30'.padEnd(40));
    // the legend-only series does not stretch the y axis to 30 (it would be 0..50): 0..7 rounds to 0..10
    expect(chartText(rows)[1]).toMatch(/^10┤/);
    const narrow = renderLineChart(series, {
      width: 12,
      height: 5,
      charset: 'braille',
      format: countFormat,
      title: 'Net',
    });
    expect(narrow[0]).toEqual([
      { text: 'Net', bold: true },
      { text: '  ' },
      { text: 'rx 2', color: 'green' },
      { text: '  ' },
      { text: 't', color: 'red' },
    ]);
  });

  it('every row is exactly width characters and there are exactly height rows', () => {
    const times = Array.from({ length: 61 }, (_, i) => i * 1000);
    const values = times.map((t) => 50 + 50 * Math.sin(t / 7000));
    for (const charset of ['braille', 'block', 'ascii'] as const) {
      for (let width = 1; width <= 40; width += 3) {
        for (let height = 1; height <= 12; height++) {
          const rows = renderLineChart([{ label: 'x', times, values }], {
            width,
            height,
            charset,
            format: percentFormat,
            title: 'CPU',
          });
          expect(rows.length).toBe(height);
          for (const line of chartText(rows)) expect([...line].length).toBe(width);
        }
      }
    }
  });

  it('too low or too narrow for axes: only the plot', () => {
    const bare = chartText(
      renderLineChart([ramp], {
        width: 2,
        height: 1,
        charset: 'braille',
        format: countFormat,
        yMin: 0,
        yMax: 3,
        windowMs: 3000,
        bare: true,
      }),
    );
    expect(
      chartText(
        renderLineChart([ramp], {
          width: 2,
          height: 1,
          charset: 'braille',
          format: countFormat,
          yMin: 0,
          yMax: 3,
          windowMs: 3000,
          title: 'P',
        }),
      ),
    ).toEqual(bare);
    // labels "3" need 1 + axis + at least one column: width 2 is too narrow
    const rows = chartText(
      renderLineChart([ramp], {
        width: 2,
        height: 4,
        charset: 'braille',
        format: countFormat,
        yMin: 0,
        yMax: 3,
        windowMs: 3000,
        title: 'P',
      }),
    );
    expect(rows.join('')).not.toMatch(/[P┤└]/);
    expect(renderLineChart([ramp], { width: 0, height: 4, charset: 'braille', format: countFormat })).toEqual([]);
  });

  it('the time axis names the window', () => {
    const rows = renderLineChart([ramp], {
      width: 20,
      height: 3,
      charset: 'braille',
      format: countFormat,
      windowMs: 300_000,
    });
    expect(chartText(rows)[2]).toMatch(/└5m─+now$/);
  });
});
