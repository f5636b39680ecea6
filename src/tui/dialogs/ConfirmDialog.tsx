/** The question before a destructive action, with its options (force, volumes) as switches. */
import { useCallback } from 'react';
import { confirmed, runCommand } from '../actions/commands.js';
import { useServices } from '../hooks/context.js';
import { useKeys, type KeyHandler } from '../hooks/use-keys.js';
import type { ConfirmState } from '../state/types.js';
import { Frame, Line } from './Frame.js';

export function ConfirmDialog({ c, columns, rows }: { c: ConfirmState; columns: number; rows: number }) {
  const svc = useServices();
  const { theme, keymap } = svc;
  const onKey: KeyHandler = useCallback(
    (b) => {
      const d = svc.store.dispatch;
      switch (b?.id) {
        case 'confirm.yes':
          return confirmed(svc, c);
        case 'confirm.no':
          return d({ type: 'closeOverlay' });
        case 'confirm.toggle':
          return d({ type: 'confirmToggle' });
        case 'confirm.nextOption':
          return d({ type: 'confirmMove', delta: 1 });
        case 'confirm.prevOption':
          return d({ type: 'confirmMove', delta: -1 });
        case 'app.interrupt':
          return void runCommand(svc, b.id);
      }
    },
    [svc, c],
  );
  useKeys(['confirm'], onKey, true);
  const width = Math.min(columns - 4, 64);
  const box = (v: boolean) => (v ? '[x]' : '[ ]');
  return (
    <Frame
      title={c.title}
      width={width}
      columns={columns}
      rows={rows}
      theme={theme}
      footer={`${keymap.label('confirm.yes')} yes · ${keymap.label('confirm.no')} no${c.options.length ? ` · ${keymap.label('confirm.toggle')} switches` : ''}`}
    >
      <Line width={width}>{c.body}</Line>
      {c.options.map((o, i) => (
        <Line key={o.name} width={width} inverse={i === c.index}>
          {`${box(o.value)} ${o.label}`}
        </Line>
      ))}
    </Frame>
  );
}
