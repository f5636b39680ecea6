/** Whichever overlay is open: help, action menu, confirmation or a dialog. */
import { useAppState } from '../hooks/use-store.js';
import { ActionMenu } from './ActionMenu.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { FormDialog } from './FormDialog.js';
import { HelpOverlay } from './HelpOverlay.js';
import { HostsOverlay } from './HostsOverlay.js';

export function Overlay({ columns, rows }: { columns: number; rows: number }) {
  const o = useAppState((s) => s.overlay);
  if (!o) return null;
  switch (o.kind) {
    case 'help':
      return <HelpOverlay columns={columns} rows={rows} scroll={o.scroll} />;
    case 'hosts':
      return <HostsOverlay index={o.index} columns={columns} rows={rows} />;
    case 'menu':
      return <ActionMenu list={o.list} index={o.index} columns={columns} rows={rows} />;
    case 'confirm':
      return <ConfirmDialog c={o} columns={columns} rows={rows} />;
    case 'form':
      return <FormDialog f={o} columns={columns} rows={rows} />;
  }
}
