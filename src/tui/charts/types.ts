/** Plain data shared by the chart renderer, the series helpers and the Ink components. */

/** Which characters draw the plot: braille (2×4 dots a cell), quadrant blocks (2×2), or ASCII (no UTF-8). */
export type Charset = 'braille' | 'block' | 'ascii';

/** A run of text in one colour. `color` is a colour name the caller's theme chose (Ink's <Text color>). */
export interface Segment {
  text: string;
  color?: string;
  bold?: boolean;
}

/** One terminal row of a chart: segments whose texts add up to exactly the chart's width. */
export type ChartRow = Segment[];

/**
 * One line of a chart: values at times (ms since epoch, ascending, same length as values).
 * A non-finite value (NaN) is a gap: the line breaks there.
 */
export interface ChartSeries {
  /** Name in the legend ("rx", "used"); empty for a chart's only series. */
  label: string;
  color?: string;
  times: readonly number[];
  values: readonly number[];
  /** false: shown in the legend (its latest value) but not drawn and not used for the y range. */
  line?: boolean;
}

/** How values of one kind are scaled on the y axis and written in labels and the legend. */
export interface ValueFormat {
  /** 1 for plain numbers; 1000 or 1024 when ticks should be round in decimal or binary units. */
  base: 1 | 1000 | 1024;
  /** Ticks are whole numbers (counts). */
  integer: boolean;
  /** The smallest span of the y axis, so an idle series does not fill the chart with noise. */
  minSpan: number;
  /** Axis label of a tick value ("50%", "256MiB"). */
  tick(value: number): string;
  /** The current value in the legend ("12.34%", "3.215MiB"). */
  value(value: number): string;
}
