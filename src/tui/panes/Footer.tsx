/**
 * The two bottom lines: the keys that work where the focus is (from the
 * keymap, as the input resolves them) and the message line (the outcome of
 * the last action, or the engine's error).
 */
import { Text } from 'ink';
import { useServices } from '../hooks/context.js';
import { useAppState } from '../hooks/use-store.js';
import type { Scope } from '../keymap/bindings.js';
import type { Keymap } from '../keymap/keys.js';
import { fit } from '../presenters/columns.js';
import { currentTab } from '../state/selectors.js';
import type { AppState } from '../state/types.js';

/** The scopes the keyboard is in, most specific first (the same order the panes resolve keys in). */
export function activeScopes(s: AppState): Scope[] {
  const o = s.overlay;
  if (o)
    return o.kind === 'help'
      ? ['main', 'global']
      : o.kind === 'form'
        ? ['dialog']
        : o.kind === 'menu'
          ? ['menu', o.list]
          : ['confirm'];
  if (s.focus === 'main') {
    if (currentTab(s) === 'logs') return s.logs.searching ? ['input'] : ['logs', 'main', 'global'];
    return ['main', 'global'];
  }
  if (s.lists[s.focus].filtering) return ['input'];
  return [s.focus, 'list', 'global'];
}

/** "s Stop  S Start  ..." for the scopes, first binding of a key wins. */
export function hintText(keymap: Keymap, scopes: Scope[], unicode: boolean): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const scope of scopes) {
    for (const b of keymap.inScope(scope)) {
      const keys = b.keys.filter((k) => !seen.has(k));
      b.keys.forEach((k) => seen.add(k));
      if (b.quiet || !keys.length) continue;
      parts.push(`${keymap.label(b.id, unicode)} ${b.description.replace(/ \(.*\)$/, '')}`);
    }
  }
  return parts.join('  ');
}

/** The end of the message line when output that was not the app's went to its log. */
export function loggedNote(logged: AppState['logged']): string {
  if (!logged) return '';
  return `${logged.entries} ${logged.entries === 1 ? 'message' : 'messages'} logged to ${logged.path}`;
}

export function Footer({ width }: { width: number }) {
  const { keymap, theme } = useServices();
  const s = useAppState((x) => x);
  const hints = hintText(keymap, activeScopes(s), theme.unicode);
  const m = s.message;
  const note = loggedNote(s.logged);
  // the note takes the right end of the line, at most half of it
  const noteWidth = note ? Math.min(note.length + 2, Math.floor(width / 2)) : 0;
  return (
    <>
      <Text color={theme.colors.muted} wrap="truncate">
        {fit(hints, width, 'left', theme.glyphs.ellipsis)}
      </Text>
      <Text wrap="truncate">
        <Text color={m?.kind === 'error' ? theme.colors.error : undefined} bold={m?.kind === 'error'}>
          {fit(
            m ? (m.kind === 'error' ? `Error: ${m.text}` : m.text) : '',
            width - noteWidth,
            'left',
            theme.glyphs.ellipsis,
          )}
        </Text>
        {note ? <Text color={theme.colors.paused}>{fit(note, noteWidth, 'right', theme.glyphs.ellipsis)}</Text> : null}
      </Text>
    </>
  );
}
