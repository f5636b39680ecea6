import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { StatsSample } from '../../src/client/api.js';
import { statsSample as sample } from '../helpers/stats-sample.js';
import {
  appendSample,
  chartText,
  countFormat,
  LineChart,
  renderLineChart,
  StatsCharts,
  type ChartSeries,
} from '../../src/tui/charts/index.js';

const ramp: ChartSeries = { label: '', color: 'green', times: [0, 1000, 2000, 3000], values: [0, 1, 2, 3] };
const opts = {
  width: 8,
  height: 4,
  charset: 'braille' as const,
  format: countFormat,
  title: 'P',
  yMin: 0,
  yMax: 3,
  windowMs: 3000,
};

/** Ink drops trailing blanks of a line; the chart's rows are padded to the width. */
const trimmed = (lines: string[]) => lines.map((l) => l.replace(/\s+$/, '')).join('\n');

describe('<LineChart>', () => {
  it('shows exactly the rows of renderLineChart', () => {
    const { lastFrame, unmount } = render(<LineChart series={[ramp]} {...opts} />);
    expect(lastFrame()).toBe(trimmed(['P  3', '3┤   ⡠⠒⠉', '0┤⡠⠔⠊', ' └───now']));
    expect(lastFrame()).toBe(trimmed(chartText(renderLineChart([ramp], opts))));
    unmount();
  });

  it('redraws when the series change', () => {
    const { lastFrame, rerender, unmount } = render(<LineChart series={[ramp]} {...opts} />);
    const falling: ChartSeries = { ...ramp, values: [3, 2, 1, 0] };
    rerender(<LineChart series={[falling]} {...opts} />);
    expect(lastFrame()).toBe(trimmed(chartText(renderLineChart([falling], opts))));
    expect(lastFrame()).toContain('P  0');
    unmount();
  });
});

describe('<StatsCharts>', () => {
  it('lays out the five charts with their legends from a window of samples', () => {
    let w: readonly StatsSample[] = [];
    for (let i = 0; i <= 60; i++) {
      w = appendSample(
        w,
        sample(i * 1000, {
          cpuPercent: i,
          memUsed: i * 1024 * 1024,
          netRxBytes: i * 2000,
          netTxBytes: i * 1000,
          blockWrite: i * 4096,
          pids: 1 + (i % 3),
          memLimit: 512 * 1024 * 1024,
        }),
      );
    }
    const { lastFrame, unmount } = render(<StatsCharts samples={w} width={120} height={30} charset="braille" />);
    const frame = lastFrame()!;
    const lines = frame.split('\n');
    expect(lines.length).toBe(30);
    // two columns: CPU beside Memory, Network beside Block I/O, PIDs across the bottom
    expect(lines[0]).toMatch(/^CPU  60\.00%\s+Memory  used 60MiB  limit 512MiB$/);
    expect(lines[10]).toMatch(/^Network  rx 2kB\/s  tx 1kB\/s\s+Block I\/O  read 0B\/s  write 4\.1kB\/s$/);
    expect(lines[20]).toBe('PIDs  1');
    expect(lines[9]).toMatch(/└60s─+now\s+└60s─+now$/);
    expect(lines[29]).toMatch(/└60s─{100,}now$/);
    unmount();
  });

  it('says so when the panel is too small', () => {
    const { lastFrame, unmount } = render(<StatsCharts samples={[]} width={30} height={10} charset="ascii" />);
    expect(lastFrame()).toBe('Too small for the charts: 30×10; they need 20×20 (or 42×12 in two columns).');
    unmount();
  });
});
