/**
 * Charts for the app: live line charts of a container's stats (the Stats tab) and small sparklines.
 *
 * Pure core (no Ink):
 *   renderLineChart(series, { width, height, charset, format, title?, yMin?, yMax?, windowMs?, now?,
 *                             axisColor?, bare? }) -> ChartRow[]
 *     Exactly `height` rows of exactly `width` characters; a row is Segment[] = { text, color?, bold? }[].
 *     Row 0 is the legend (title, then each series' label and latest value in its colour), then the plot
 *     with y labels at nice ticks, then the time axis "60s───now". `charset` is 'braille' (2×4 dots a
 *     cell), 'block' (quadrant blocks, 2×2) or 'ascii' (for locales without UTF-8: ' - _ |). The x axis is
 *     time: the right edge is `now` (default: the newest point), the left edge `windowMs` (60 s) before.
 *     Values beyond a fixed yMin/yMax sit on the edge; NaN breaks a line. `bare` (or height < 3) draws
 *     only the plot, e.g. a one-row sparkline. Colours are names the caller's theme passes in, per
 *     series (`ChartSeries.color`) and for the axes (`axisColor`); nothing here picks a colour.
 *   ChartSeries = { label, color?, times[], values[], line? }   (line: false = legend only)
 *   ValueFormat: how a kind of value is scaled and written; percentFormat (CPU), bytesFormat (memory,
 *     binary units), rateFormat (bytes/s, decimal units as docker stats), countFormat (PIDs).
 *   niceScale(lo, hi, maxTicks, format, { min?, max? }) -> { min, max, ticks }: 1/2/2.5/5 steps in the
 *     unit the labels use.
 *   chartText(rows) -> string[]: the rows as plain text.
 *
 * Stats series (pure):
 *   appendSample(window, sample, windowMs = 60 s) -> window: a rolling window of StatsSamples of one
 *     container (trimmed to the window plus the one sample before it; another container's sample starts
 *     over; a stale sample returns the same array).
 *   deriveStatsSeries(window) -> StatsSeries: times, cpuPercent, memUsed, memLimit, pids, and netRx/netTx/
 *     blockRead/blockWrite in bytes per second from counter deltas over the real time between samples
 *     (a counter that went down was reset: its new value counts, never a negative rate).
 *   statsChartSpecs(series, palette?) -> ChartSpec[]: the five charts (cpu, memory, network, blockio,
 *     pids) with title, series, format and y range; the memory chart draws the limit once usage reaches
 *     a quarter of it, and always names it in the legend.
 *
 * Layout (pure):
 *   layoutCharts(width, height, count = 5, opts?) -> { fits: true, columns, boxes: {x,y,width,height}[] }
 *     | { fits: false, message }: two columns from 100 columns on, one column when narrow (while each
 *     chart keeps 6 rows), else two; an odd last chart spans both columns.
 *
 * Ink components (memoised: they redraw only when their props change, so pass stable series/palette):
 *   <LineChart series={...} width height charset format title? yMin? yMax? windowMs? now? axisColor? bare? />
 *   <StatsCharts samples={window} width height charset palette? axisColor? windowMs? />
 *     the five charts laid out in width×height, or the "too small" message.
 *   <ChartRows rows={...} />: any ChartRow[] as <Text> lines.
 */
export type { Charset, ChartRow, ChartSeries, Segment, ValueFormat } from './types.js';
export {
  renderLineChart,
  chartText,
  latestValue,
  DEFAULT_WINDOW_MS,
  type LineChartOptions,
} from './render-line-chart.js';
export { bytesFormat, countFormat, percentFormat, rateFormat, windowLabel } from './formats.js';
export { niceScale, type Scale } from './ticks.js';
export { appendSample, counterRate, deriveStatsSeries, type StatsSeries } from './stats-series.js';
export {
  statsChartSpecs,
  memoryScaledToLimit,
  type ChartSpec,
  type StatsChartKey,
  type StatsPalette,
} from './stats-charts.js';
export { layoutCharts, type ChartBox, type ChartLayout, type LayoutOptions } from './layout.js';
export { LineChart, ChartRows, type LineChartProps } from './LineChart.js';
export { StatsCharts, type StatsChartsProps } from './StatsCharts.js';
