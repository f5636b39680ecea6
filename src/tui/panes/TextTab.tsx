/**
 * A scrolling text view for the main panel (Inspect, Top, Diff, History, a
 * volume's users). Takes the main panel's keys when focused, and PgUp/PgDn
 * from anywhere.
 */
import { Box, Text } from 'ink';
import { memo, useCallback } from 'react';
import { runCommand } from '../actions/commands.js';
import { useServices } from '../hooks/context.js';
import { useKeys, type KeyHandler } from '../hooks/use-keys.js';
import { useAppState } from '../hooks/use-store.js';
import { cleanText } from '../presenters/clean-text.js';
import { fit } from '../presenters/columns.js';

export interface TextTabProps {
  lines: readonly string[] | null;
  loading: boolean;
  error: string | null;
  width: number;
  height: number;
  focused: boolean;
  /** PgUp/PgDn while a list has the focus. */
  pageKeys: boolean;
}

/** Keys that scroll a view of `count` lines `height` tall; everything else is a global command. */
export function useScrollKeys(count: number, height: number, focused: boolean, pageKeys: boolean): void {
  const svc = useServices();
  const d = svc.store.dispatch;
  const max = Math.max(0, count - height);
  const onKey: KeyHandler = useCallback(
    (b) => {
      if (!b) return;
      switch (b.id) {
        case 'main.down':
          return d({ type: 'scroll', delta: 1, max });
        case 'main.up':
          return d({ type: 'scroll', delta: -1, max });
        case 'main.pageDown':
          return d({ type: 'scroll', delta: Math.max(1, height - 1), max });
        case 'main.pageUp':
          return d({ type: 'scroll', delta: -Math.max(1, height - 1), max });
        case 'main.top':
          return d({ type: 'scroll', to: 'top', max });
        case 'main.bottom':
          return d({ type: 'scroll', to: 'bottom', max });
        default:
          if (focused) runCommand(svc, b.id);
      }
    },
    [svc, d, max, height, focused],
  );
  useKeys(focused ? ['main', 'global'] : ['global'], onKey, focused || pageKeys);
}

function TextTabInner({ lines, loading, error, width, height, focused, pageKeys }: TextTabProps) {
  const { theme } = useServices();
  const scroll = useAppState((s) => s.scroll);
  const all = lines ?? [];
  useScrollKeys(all.length, height, focused, pageKeys);
  if (error) {
    return (
      <Box height={height} width={width}>
        <Text color={theme.colors.error} wrap="wrap">
          {cleanText(error)}
        </Text>
      </Box>
    );
  }
  if (!lines) {
    return (
      <Box height={height} width={width}>
        <Text color={theme.colors.muted}>{loading ? 'loading…' : ''}</Text>
      </Box>
    );
  }
  const top = Math.min(scroll, Math.max(0, all.length - height));
  const shown = all.slice(top, top + height);
  return (
    <Box flexDirection="column" height={height} width={width}>
      {shown.map((l, i) => (
        <Text key={top + i} wrap="truncate">
          {fit(l, width, 'left', theme.glyphs.ellipsis)}
        </Text>
      ))}
    </Box>
  );
}

export const TextTab = memo(TextTabInner);
