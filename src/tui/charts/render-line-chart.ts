/**
 * The pure chart renderer: series -> rows of coloured segments. No Ink here; <LineChart> shows the rows.
 *
 *   CPU 12.34%                 <- legend: title, then each series' label and latest value in its colour
 *    10%┤      ⢀⡠⠊⠉⠑⠢⡀         <- y labels at nice ticks, the plot
 *     5%┤  ⢀⠔⠁       ⠈⠢⡀
 *     0%┤⠔⠁             ⠈⠢
 *       └60s───────────now     <- time axis: the window's length at the left, now at the right
 */
import { axisChars, glyphTable } from './glyphs.js';
import { plotSeries, type PlotCells } from './dot-plot.js';
import { windowLabel } from './formats.js';
import { maxTicksFor, niceScale, type Scale } from './ticks.js';
import type { ChartRow, ChartSeries, Charset, Segment, ValueFormat } from './types.js';

export const DEFAULT_WINDOW_MS = 60_000;

export interface LineChartOptions {
  /** Size of the whole chart in terminal cells, legend and axes included. */
  width: number;
  height: number;
  charset: Charset;
  format: ValueFormat;
  /** First word of the legend line ("CPU"). */
  title?: string;
  /** Fixed ends of the y axis; an end left out is chosen from the data and rounded to a nice tick. */
  yMin?: number;
  yMax?: number;
  /** Length of the time axis (default 60 s). */
  windowMs?: number;
  /** Time at the right edge (default: the latest time of any series). */
  now?: number;
  /** Colour of the axes and their labels. */
  axisColor?: string;
  /** Only the plot: no legend, no axes (sparklines). */
  bare?: boolean;
}

/** Latest finite value of a series, NaN when it has none. */
export function latestValue(s: ChartSeries): number {
  for (let i = s.values.length - 1; i >= 0; i--) if (Number.isFinite(s.values[i])) return s.values[i]!;
  return NaN;
}

function latestTime(series: readonly ChartSeries[]): number {
  let t = -Infinity;
  for (const s of series) if (s.times.length > 0) t = Math.max(t, s.times[s.times.length - 1]!);
  return Number.isFinite(t) ? t : 0;
}

/** Range of the values drawn between t0 and t1 (including the first point before t0, whose line enters). */
function dataRange(series: readonly ChartSeries[], t0: number, t1: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    if (s.line === false) continue;
    for (let i = 0; i < s.values.length; i++) {
      const t = s.times[i]!;
      const next = s.times[i + 1];
      if (t > t1 || (next !== undefined && next < t0)) continue;
      const v = s.values[i]!;
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return [lo, hi];
}

/** Appends text to a row, merging it into the last segment when the style is the same. */
function push(row: ChartRow, text: string, color?: string, bold?: boolean): void {
  if (text === '') return;
  const last = row[row.length - 1];
  if (last && last.color === color && last.bold === bold) {
    last.text += text;
    return;
  }
  const seg: Segment = { text };
  if (color !== undefined) seg.color = color;
  if (bold) seg.bold = true;
  row.push(seg);
}

/** Cuts the row's segments to `width` characters and pads it with spaces to exactly that. */
function fit(row: ChartRow, width: number): ChartRow {
  const out: ChartRow = [];
  let used = 0;
  for (const seg of row) {
    if (used >= width) break;
    const text = seg.text.slice(0, width - used);
    used += text.length;
    push(out, text, seg.color, seg.bold);
  }
  if (used < width) push(out, ' '.repeat(width - used));
  return out;
}

function legendRow(series: readonly ChartSeries[], o: LineChartOptions): ChartRow {
  const row: ChartRow = [];
  if (o.title) push(row, o.title, undefined, true);
  for (const s of series) {
    const v = latestValue(s);
    const text = (s.label ? `${s.label} ` : '') + (Number.isFinite(v) ? o.format.value(v) : '--');
    if (row.length > 0) push(row, '  ');
    push(row, text, s.color);
  }
  return fit(row, o.width);
}

/**
 * The plot cells of one row as segments, one per run of cells drawn by the same series. A cell two
 * series drew in takes the colour of the later one; braille and block show the dots of both, ASCII
 * (one character, no dots to combine) only the later one's.
 */
function plotRow(row: ChartRow, cells: PlotCells, r: number, charset: Charset, series: readonly ChartSeries[]): void {
  const glyphs = glyphTable(charset);
  const masks = charset === 'ascii' ? cells.ownMasks : cells.masks;
  let text = '';
  let owner = -2;
  for (let c = 0; c < cells.cols; c++) {
    const k = r * cells.cols + c;
    const mask = masks[k]!;
    const o = mask === 0 ? -1 : cells.owners[k]!;
    if (o !== owner && text !== '') {
      push(row, text, owner >= 0 ? series[owner]!.color : undefined);
      text = '';
    }
    owner = o;
    text += glyphs[mask];
  }
  push(row, text, owner >= 0 ? series[owner]!.color : undefined);
}

/** Y labels by plot row: a tick's label goes on the row its value is drawn in. */
function tickLabels(scale: Scale, rows: number, format: ValueFormat): Map<number, string> {
  const labels = new Map<number, string>();
  const dots = rows * 4;
  for (const t of [...scale.ticks].reverse()) {
    const dot = Math.round(((scale.max - t) / (scale.max - scale.min)) * (dots - 1));
    const r = Math.min(rows - 1, Math.max(0, Math.floor(dot / 4)));
    if (!labels.has(r)) labels.set(r, format.tick(t));
  }
  return labels;
}

function timeAxis(width: number, charset: Charset, windowMs: number): string {
  const h = axisChars(charset).horizontal;
  const left = windowLabel(windowMs);
  const right = 'now';
  if (width >= left.length + right.length + 2) return left + h.repeat(width - left.length - right.length) + right;
  if (width >= right.length + 1) return h.repeat(width - right.length) + right;
  return h.repeat(width);
}

/**
 * Renders a line chart of `series` into exactly `height` rows of exactly `width` characters.
 * Needs at least 3 rows and room for the y labels to draw legend and axes; smaller charts are drawn bare.
 */
export function renderLineChart(series: readonly ChartSeries[], o: LineChartOptions): ChartRow[] {
  const width = Math.max(0, Math.floor(o.width));
  const height = Math.max(0, Math.floor(o.height));
  if (width === 0 || height === 0) return [];
  const windowMs = o.windowMs ?? DEFAULT_WINDOW_MS;
  const t1 = o.now ?? latestTime(series);
  const t0 = t1 - windowMs;
  const [lo, hi] = dataRange(series, t0, t1);
  const framed = !o.bare && height >= 3;
  const plotRows = framed ? height - 2 : height;
  const scale = niceScale(lo, hi, maxTicksFor(plotRows), o.format, { min: o.yMin, max: o.yMax });
  const labels = framed ? tickLabels(scale, plotRows, o.format) : new Map<number, string>();
  let labelWidth = 0;
  for (const l of labels.values()) labelWidth = Math.max(labelWidth, l.length);
  const boxed = framed && width >= labelWidth + 3;
  const cols = boxed ? width - labelWidth - 1 : width;
  const cells = plotSeries(series, { cols, rows: boxed ? plotRows : height, t0, t1, y0: scale.min, y1: scale.max });
  const axis = axisChars(o.charset);
  const rows: ChartRow[] = [];
  if (boxed) rows.push(legendRow(series, o));
  for (let r = 0; r < cells.rows; r++) {
    const row: ChartRow = [];
    if (boxed) {
      const label = labels.get(r);
      push(row, (label ?? '').padStart(labelWidth) + (label === undefined ? axis.vertical : axis.tick), o.axisColor);
    }
    plotRow(row, cells, r, o.charset, series);
    rows.push(row);
  }
  if (boxed) {
    const row: ChartRow = [];
    push(row, ' '.repeat(labelWidth) + axis.corner + timeAxis(cols, o.charset, windowMs), o.axisColor);
    rows.push(row);
  }
  return rows;
}

/** The rows as plain text (for tests and logs). */
export function chartText(rows: readonly ChartRow[]): string[] {
  return rows.map((row) => row.map((s) => s.text).join(''));
}
