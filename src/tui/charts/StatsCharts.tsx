/**
 * <StatsCharts>: the Stats tab's five live charts for one container, laid out in the given panel size.
 * Give it the rolling window (appendSample) and it derives the series, lays out and draws the charts.
 */
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { StatsSample } from '../../client/api.js';
import { layoutCharts } from './layout.js';
import { LineChart } from './LineChart.js';
import { DEFAULT_WINDOW_MS } from './render-line-chart.js';
import { statsChartSpecs, type StatsPalette } from './stats-charts.js';
import { deriveStatsSeries } from './stats-series.js';
import type { Charset } from './types.js';

export interface StatsChartsProps {
  samples: readonly StatsSample[];
  width: number;
  height: number;
  charset: Charset;
  palette?: StatsPalette;
  axisColor?: string;
  windowMs?: number;
}

export const StatsCharts = memo(function StatsCharts(props: StatsChartsProps) {
  const { samples, width, height, charset, palette, axisColor, windowMs = DEFAULT_WINDOW_MS } = props;
  const specs = useMemo(() => statsChartSpecs(deriveStatsSeries(samples), palette), [samples, palette]);
  const layout = useMemo(() => layoutCharts(width, height, specs.length), [width, height, specs.length]);
  if (!layout.fits) return <Text wrap="truncate">{layout.message}</Text>;
  const now = samples.length > 0 ? samples[samples.length - 1]!.time : undefined;
  // boxes come row by row; each row of the grid is a horizontal Box, charts spaced by their x offsets
  const gridRows: { y: number; items: { index: number; margin: number }[] }[] = [];
  let right = 0;
  layout.boxes.forEach((b, index) => {
    const last = gridRows[gridRows.length - 1];
    if (last && last.y === b.y) last.items.push({ index, margin: b.x - right });
    else gridRows.push({ y: b.y, items: [{ index, margin: b.x }] });
    right = b.x + b.width;
  });
  return (
    <Box flexDirection="column" width={width} height={height}>
      {gridRows.map((r) => (
        <Box key={r.y} flexDirection="row">
          {r.items.map(({ index, margin }) => {
            const box = layout.boxes[index]!;
            const spec = specs[index]!;
            return (
              <Box key={spec.key} width={box.width} marginLeft={margin}>
                <LineChart
                  series={spec.series}
                  width={box.width}
                  height={box.height}
                  charset={charset}
                  format={spec.format}
                  title={spec.title}
                  yMin={spec.yMin}
                  yMax={spec.yMax}
                  windowMs={windowMs}
                  now={now}
                  axisColor={axisColor}
                />
              </Box>
            );
          })}
        </Box>
      ))}
    </Box>
  );
});
