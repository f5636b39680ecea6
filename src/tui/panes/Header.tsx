/** The top line: where this is (host, engine root) and what is there (counts). */
import { Text } from 'ink';
import { useServices } from '../hooks/context.js';
import { useAppState } from '../hooks/use-store.js';
import { fit } from '../presenters/columns.js';

export function Header({ width }: { width: number }) {
  const { backend, theme } = useServices();
  const data = useAppState((s) => s.data);
  const info = backend.info();
  const cs = data.containers;
  const counts = [
    cs ? `${cs.filter((c) => c.State === 'running').length}/${cs.length} containers running` : null,
    data.images ? `${data.images.length} images` : null,
    data.volumes ? `${data.volumes.length} volumes` : null,
    data.networks ? `${data.networks.length} networks` : null,
  ]
    .filter(Boolean)
    .join(` ${theme.glyphs.dot} `);
  const left = ` berth ${theme.glyphs.dot} ${info.host} ${theme.glyphs.dot} ${info.root} `;
  const room = Math.max(0, width - left.length);
  return (
    <Text wrap="truncate">
      <Text bold color={theme.colors.accent}>
        {fit(left, Math.min(left.length, width), 'left', theme.glyphs.ellipsis)}
      </Text>
      <Text color={theme.colors.muted}>{fit(counts + ' ', room, 'right', theme.glyphs.ellipsis)}</Text>
    </Text>
  );
}
