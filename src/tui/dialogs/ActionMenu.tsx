/** Enter on a list: every action for the selection with its key; Enter or the action's own key runs it. */
import { useCallback } from 'react';
import { runCommand } from '../actions/commands.js';
import { useServices } from '../hooks/context.js';
import { useKeys, type KeyHandler } from '../hooks/use-keys.js';
import { disabledReason } from '../keymap/features.js';
import { isProjectRow, PROJECT_COMMANDS, type ContainerListRow } from '../presenters/projects.js';
import { selectedRow } from '../state/selectors.js';
import type { ListId } from '../state/types.js';
import { Frame, Line } from './Frame.js';

export function ActionMenu({
  list,
  index,
  columns,
  rows,
}: {
  list: ListId;
  index: number;
  columns: number;
  rows: number;
}) {
  const svc = useServices();
  const { keymap, theme } = svc;
  const row = selectedRow(svc.store.get(), list);
  // a compose project's row: what acts on the whole project
  const project = list === 'containers' && isProjectRow(row as ContainerListRow | null);
  const actions = keymap.actions(list).filter((a) => !project || PROJECT_COMMANDS.includes(a.id));
  const caps = svc.backend.capabilities();
  const onKey: KeyHandler = useCallback(
    (b) => {
      const d = svc.store.dispatch;
      if (!b) return;
      if (b.id === 'menu.down' || b.id === 'menu.up')
        return d({ type: 'menuMove', delta: b.id === 'menu.down' ? 1 : -1, count: actions.length });
      if (b.id === 'menu.close') return d({ type: 'closeOverlay' });
      const chosen = b.id === 'menu.run' ? actions[index] : b.action && b.scope === list ? b : null;
      if (chosen) {
        d({ type: 'closeOverlay' });
        runCommand(svc, chosen.id);
      } else if (b.id === 'app.interrupt') runCommand(svc, b.id);
    },
    [svc, actions, index, list],
  );
  useKeys(['menu', list], onKey, true);
  const width = Math.min(columns - 4, 56);
  const what = row ? ('name' in row ? row.name : row.ref) : '';
  return (
    <Frame
      title={`Actions: ${what}`}
      width={width}
      columns={columns}
      rows={rows}
      theme={theme}
      footer="Enter runs · a key runs its action · Esc closes"
    >
      {actions.map((a, i) => {
        const off = disabledReason(caps, a.id);
        return (
          <Line
            key={a.id}
            width={width}
            inverse={i === index}
            bold={i === index}
            {...(off ? { color: theme.colors.muted } : {})}
          >
            {`${keymap.label(a.id, theme.unicode).padEnd(8)} ${a.description}${off ? ` (unavailable: ${off})` : ''}`}
          </Line>
        );
      })}
    </Frame>
  );
}
