/** The top line: where this is (host, engine root) and what is there (counts). */
import { Text } from 'ink';
import { useServices } from '../hooks/context.js';
import { useAppState } from '../hooks/use-store.js';
import { fit } from '../presenters/columns.js';

export function Header({ width }: { width: number }) {
  const svc = useServices();
  const { backend, theme } = svc;
  const data = useAppState((s) => s.data);
  const linkDown = useAppState((s) => s.linkDown);
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
  // the embedded engine's store, or the remote engine and how it is reached
  const where = info.endpoint ? `${info.kind} ${info.endpoint}` : info.root;
  // with a hosts list, the name of the host shown and how many there are
  const hosts = svc.hosts;
  const which = hosts && hosts.size > 1 ? `[${hosts.name(svc)} ${hosts.currentIndex + 1}/${hosts.size}] ` : '';
  const left = ` berth ${theme.glyphs.dot} ${which}${info.host} ${theme.glyphs.dot} ${where} `;
  const room = Math.max(0, width - left.length);
  if (linkDown !== null) {
    // a remote engine out of reach: said where the counts were (they are from before the link went down)
    return (
      <Text wrap="truncate">
        <Text bold color={theme.colors.accent}>
          {fit(left, Math.min(left.length, width), 'left', theme.glyphs.ellipsis)}
        </Text>
        <Text bold color={theme.colors.error}>
          {fit('link down, reconnecting ', room, 'right', theme.glyphs.ellipsis)}
        </Text>
      </Text>
    );
  }
  return (
    <Text wrap="truncate">
      <Text bold color={theme.colors.accent}>
        {fit(left, Math.min(left.length, width), 'left', theme.glyphs.ellipsis)}
      </Text>
      <Text color={theme.colors.muted}>{fit(counts + ' ', room, 'right', theme.glyphs.ellipsis)}</Text>
    </Text>
  );
}
