/** <LineChart>: shows the rows of renderLineChart with Ink's <Text>, re-rendering only when its props change. */
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import { renderLineChart, type LineChartOptions } from './render-line-chart.js';
import type { ChartRow, ChartSeries } from './types.js';

export interface LineChartProps extends LineChartOptions {
  series: readonly ChartSeries[];
}

/** The rows of a chart as Ink elements: one <Text> per row, a nested <Text color> per segment. */
export function ChartRows({ rows }: { rows: readonly ChartRow[] }) {
  return (
    <Box flexDirection="column">
      {rows.map((row, i) => (
        <Text key={i} wrap="truncate">
          {row.map((seg, j) => (
            <Text key={j} color={seg.color} bold={seg.bold}>
              {seg.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}

export const LineChart = memo(function LineChart(props: LineChartProps) {
  const { series, width, height, charset, format, title, yMin, yMax, windowMs, now, axisColor, bare } = props;
  const rows = useMemo(
    () =>
      renderLineChart(series, { width, height, charset, format, title, yMin, yMax, windowMs, now, axisColor, bare }),
    [series, width, height, charset, format, title, yMin, yMax, windowMs, now, axisColor, bare],
  );
  return <ChartRows rows={rows} />;
});
