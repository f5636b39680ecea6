/**
 * A box drawn over the screen, centred: border, title, and body lines padded
 * to the full inner width (Ink paints text, not empty cells, so every cell
 * inside the border is written to hide what is underneath).
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { fit } from '../presenters/columns.js';
import type { Theme } from '../theme/theme.js';

export interface FrameProps {
  title: string;
  width: number;
  /** Screen size, to centre in. */
  columns: number;
  rows: number;
  theme: Theme;
  children: ReactNode;
  footer?: string;
}

/** Text for a body line of a frame `width` wide: a space each side, padded. */
export const pad = (s: string, width: number, ell = '…') => ` ${fit(s, width - 4, 'left', ell)} `;

export function Frame({ title, width, columns, rows, theme, children, footer }: FrameProps) {
  return (
    <Box position="absolute" width={columns} height={rows} justifyContent="center" alignItems="center">
      <Box
        flexDirection="column"
        width={width}
        borderStyle={theme.unicode ? 'round' : 'classic'}
        borderColor={theme.colors.accent}
      >
        <Text bold color={theme.colors.title} wrap="truncate">
          {pad(title, width)}
        </Text>
        {children}
        {footer ? (
          <Text color={theme.colors.muted} wrap="truncate">
            {pad(footer, width)}
          </Text>
        ) : null}
      </Box>
    </Box>
  );
}

export interface LineProps {
  width: number;
  children: string;
  color?: string | undefined;
  bold?: boolean;
  inverse?: boolean;
}

export function Line({ width, children, color, bold, inverse }: LineProps) {
  return (
    <Text color={color} bold={bold} inverse={inverse} wrap="truncate">
      {pad(children, width)}
    </Text>
  );
}
