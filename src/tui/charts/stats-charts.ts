/** The five charts of the Stats tab, as data: title, series, value format and y range of each. */
import { bytesFormat, countFormat, percentFormat, rateFormat } from './formats.js';
import type { StatsSeries } from './stats-series.js';
import type { ChartSeries, ValueFormat } from './types.js';

export type StatsChartKey = 'cpu' | 'memory' | 'network' | 'blockio' | 'pids';

/** Colour names from the app's theme, one per line; a line without one uses the default colour. */
export interface StatsPalette {
  cpu?: string;
  memUsed?: string;
  memLimit?: string;
  netRx?: string;
  netTx?: string;
  blockRead?: string;
  blockWrite?: string;
  pids?: string;
}

export interface ChartSpec {
  key: StatsChartKey;
  title: string;
  series: ChartSeries[];
  format: ValueFormat;
  yMin?: number;
  yMax?: number;
}

function line(label: string, times: number[], values: number[], color: string | undefined, drawn = true): ChartSeries {
  const s: ChartSeries = { label, times, values };
  if (color !== undefined) s.color = color;
  if (!drawn) s.line = false;
  return s;
}

function peak(values: readonly number[]): number {
  let m = 0;
  for (const v of values) if (Number.isFinite(v) && v > m) m = v;
  return m;
}

/**
 * Whether the memory chart is scaled to the limit and draws it: when the usage in the window reached
 * a quarter of it. Below that the limit (often the host's whole memory) would flatten the usage into
 * the bottom row; it is then only named in the legend.
 */
export function memoryScaledToLimit(s: StatsSeries): boolean {
  const limit = s.memLimit[s.memLimit.length - 1];
  return limit !== undefined && limit > 0 && peak(s.memUsed) * 4 >= limit;
}

/** The charts in the order the Stats tab shows them: CPU, memory, network, block I/O, PIDs. */
export function statsChartSpecs(s: StatsSeries, palette: StatsPalette = {}): ChartSpec[] {
  const t = s.times;
  return [
    { key: 'cpu', title: 'CPU', series: [line('', t, s.cpuPercent, palette.cpu)], format: percentFormat, yMin: 0 },
    {
      key: 'memory',
      title: 'Memory',
      series: [
        line('used', t, s.memUsed, palette.memUsed),
        line('limit', t, s.memLimit, palette.memLimit, memoryScaledToLimit(s)),
      ],
      format: bytesFormat,
      yMin: 0,
    },
    {
      key: 'network',
      title: 'Network',
      series: [line('rx', t, s.netRx, palette.netRx), line('tx', t, s.netTx, palette.netTx)],
      format: rateFormat,
      yMin: 0,
    },
    {
      key: 'blockio',
      title: 'Block I/O',
      series: [line('read', t, s.blockRead, palette.blockRead), line('write', t, s.blockWrite, palette.blockWrite)],
      format: rateFormat,
      yMin: 0,
    },
    {
      key: 'pids',
      title: s.pidsLimit !== null ? `PIDs (limit ${s.pidsLimit})` : 'PIDs',
      series: [line('', t, s.pids, palette.pids)],
      format: countFormat,
      yMin: 0,
    },
  ];
}
