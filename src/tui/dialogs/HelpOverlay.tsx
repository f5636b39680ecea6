/** `?`: every binding of the keymap, by scope, with its keys (the same table the input uses). */

import { useCallback, useMemo } from 'react';
import { runCommand } from '../actions/commands.js';
import { useServices } from '../hooks/context.js';
import { useKeys, type KeyHandler } from '../hooks/use-keys.js';
import { capabilities, type Capabilities } from '../../client/api.js';
import { SCOPE_TITLES, type Scope } from '../keymap/bindings.js';
import { disabledReason } from '../keymap/features.js';
import type { Keymap } from '../keymap/keys.js';
import { Frame, Line } from './Frame.js';

export interface HelpLine {
  text: string;
  heading: boolean;
  /** The engine lacks the command's feature (the text says why). */
  disabled?: boolean;
}

/** The help text: a heading per scope, then "keys  description" lines. */
export function helpLines(keymap: Keymap, unicode: boolean, caps: Capabilities = capabilities()): HelpLine[] {
  const out: HelpLine[] = [];
  const scopes = Object.keys(SCOPE_TITLES) as Scope[];
  for (const scope of scopes) {
    const bs = keymap.inScope(scope);
    if (!bs.length) continue;
    if (out.length) out.push({ text: '', heading: false });
    out.push({ text: SCOPE_TITLES[scope], heading: true });
    for (const b of bs) {
      const off = disabledReason(caps, b.id);
      const text = `  ${keymap.label(b.id, unicode).padEnd(16)} ${b.description}`;
      out.push({
        text: off ? `${text} (unavailable: ${off})` : text,
        heading: false,
        ...(off ? { disabled: true } : {}),
      });
    }
  }
  return out;
}

export function HelpOverlay({ columns, rows, scroll }: { columns: number; rows: number; scroll: number }) {
  const svc = useServices();
  const { theme, keymap } = svc;
  const lines = useMemo(
    () => helpLines(keymap, theme.unicode, svc.backend.capabilities()),
    [keymap, theme.unicode, svc.backend],
  );
  const width = Math.min(columns - 4, 96);
  const height = Math.max(3, rows - 6);
  const max = Math.max(0, lines.length - height);
  const onKey: KeyHandler = useCallback(
    (b) => {
      if (!b) return;
      const d = svc.store.dispatch;
      if (b.id === 'main.down') d({ type: 'helpScroll', delta: 1, max });
      else if (b.id === 'main.up') d({ type: 'helpScroll', delta: -1, max });
      else if (b.id === 'main.pageDown' || b.id === 'main.bottom')
        d({ type: 'helpScroll', delta: b.id === 'main.bottom' ? max : height - 1, max });
      else if (b.id === 'main.pageUp' || b.id === 'main.top')
        d({ type: 'helpScroll', delta: b.id === 'main.top' ? -max : -(height - 1), max });
      else if (b.id === 'app.help' || b.id === 'app.back' || b.id === 'app.quit') d({ type: 'closeOverlay' });
      else if (b.id === 'app.interrupt') runCommand(svc, b.id);
    },
    [svc, max, height],
  );
  useKeys(['main', 'global'], onKey, true);
  const top = Math.min(scroll, max);
  const shown = lines.slice(top, top + height);
  const more = lines.length > height ? ` (${top + 1}-${top + shown.length} of ${lines.length}; j/k scroll)` : '';
  return (
    <Frame
      title={`Keys${more}`}
      width={width}
      columns={columns}
      rows={rows}
      theme={theme}
      footer={`${keymap.label('app.help')} or Esc closes · keys can be changed in ~/.config/berth/config.json`}
    >
      {shown.map((l, i) => (
        <Line
          key={i}
          width={width}
          bold={l.heading}
          color={l.heading ? theme.colors.accent : l.disabled ? theme.colors.muted : undefined}
        >
          {l.text}
        </Line>
      ))}
    </Frame>
  );
}
