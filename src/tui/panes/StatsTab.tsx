/**
 * The Stats tab: the chart module's five live charts (CPU, memory against
 * the limit, network and block I/O rates, PIDs) over the rolling window the
 * stats feed keeps for the container, redrawn once a second as samples come
 * (the tab holds the feed at that rate while it shows).
 */
import { Box, Text } from 'ink';
import { memo, useEffect, useMemo } from 'react';
import type { ContainerSummary } from '../../client/api.js';
import { StatsCharts, type StatsPalette } from '../charts/index.js';
import { useServices } from '../hooks/context.js';
import { useStatsVersion } from '../hooks/use-stats.js';
import { useScrollKeys } from './TextTab.js';

export interface StatsTabProps {
  container: ContainerSummary | null;
  width: number;
  height: number;
  focused: boolean;
  pageKeys: boolean;
}

function StatsTabInner({ container, width, height, focused, pageKeys }: StatsTabProps) {
  const { stats, theme, settings } = useServices();
  useStatsVersion();
  // samples once a second while the tab shows (the lists alone take them every two)
  useEffect(() => stats.hold(), [stats]);
  // nothing to scroll; the hook gives the panel the global keys while it is focused
  useScrollKeys(0, height, focused, pageKeys);
  const [a, b, c, d] = theme.colors.series;
  const palette: StatsPalette = useMemo(
    () => ({
      cpu: a,
      memUsed: b,
      memLimit: theme.colors.muted,
      netRx: a,
      netTx: c,
      blockRead: d,
      blockWrite: c,
      pids: b,
    }),
    [a, b, c, d, theme.colors.muted],
  );
  const window = container ? stats.window(container.Id) : [];
  const live = container?.State === 'running' || container?.State === 'paused';
  if (!window.length) {
    return (
      <Box height={height} width={width}>
        <Text color={theme.colors.muted}>
          {live ? 'waiting for the first samples…' : 'the container is not running: no live metrics'}
        </Text>
      </Box>
    );
  }
  return (
    <StatsCharts
      samples={window}
      width={width}
      height={height}
      charset={theme.charset}
      palette={palette}
      axisColor={theme.colors.muted}
      windowMs={settings.stats.windowSeconds * 1000}
    />
  );
}

export const StatsTab = memo(StatsTabInner);
