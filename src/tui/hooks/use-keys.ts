/**
 * Keyboard input through the keymap: a component names the scopes it
 * serves and gets the command a key resolves to. Only the focused pane (or
 * the open dialog) is active, as Ink's useInput isActive allows.
 */
import { useInput, type Key } from 'ink';
import { useCallback } from 'react';
import type { Binding, Scope } from '../keymap/bindings.js';
import { keyName } from '../keymap/keys.js';
import { useServices } from './context.js';

export type KeyHandler = (b: Binding | null, input: string, key: Key) => void;

export function useKeys(scopes: readonly Scope[], handler: KeyHandler, isActive: boolean): void {
  const { keymap } = useServices();
  const scopeKey = scopes.join(',');
  const onInput = useCallback(
    (input: string, key: Key) =>
      handler(keymap.resolve(keyName(input, key), scopeKey.split(',') as Scope[]), input, key),
    [keymap, scopeKey, handler],
  );
  useInput(onInput, { isActive });
}
