/**
 * Pure key handling: the name of a key press as Ink reports it, and the
 * resolved keymap (defaults with user overrides) answering "which command
 * does this key run in these scopes".
 */
import { DEFAULT_BINDINGS, type Binding, type Scope } from './bindings.js';

/** The subset of Ink's Key this module reads (kept structural so tests need no Ink). */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

const NAMED: [keyof KeyPress, string][] = [
  ['upArrow', 'up'],
  ['downArrow', 'down'],
  ['leftArrow', 'left'],
  ['rightArrow', 'right'],
  ['pageUp', 'pageup'],
  ['pageDown', 'pagedown'],
  ['home', 'home'],
  ['end', 'end'],
  ['return', 'enter'],
  ['escape', 'escape'],
  // most terminals send DEL (0x7f) for Backspace, which Ink reports as `delete`
  ['backspace', 'backspace'],
  ['delete', 'backspace'],
];

/** The key name of one press ("j", "G", "enter", "shift-tab", "ctrl-c"), or null for text that is not one key. */
export function keyName(input: string, key: KeyPress): string | null {
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  for (const [flag, name] of NAMED) if (key[flag]) return name;
  if (key.ctrl && /^[a-z]$/i.test(input)) return `ctrl-${input.toLowerCase()}`;
  if (input === ' ') return 'space';
  if (input === '\r' || input === '\n') return 'enter';
  if ([...input].length === 1) return input;
  return null;
}

/** How a key is shown to the user: "j", "↑", "Enter", "Shift-Tab", "Ctrl-C". */
export function displayKey(k: string, unicode = true): string {
  const arrows: Record<string, string> = unicode
    ? { up: '↑', down: '↓', left: '←', right: '→' }
    : { up: 'Up', down: 'Down', left: 'Left', right: 'Right' };
  if (arrows[k]) return arrows[k]!;
  const named: Record<string, string> = {
    pageup: 'PgUp',
    pagedown: 'PgDn',
    home: 'Home',
    end: 'End',
    enter: 'Enter',
    escape: 'Esc',
    tab: 'Tab',
    'shift-tab': 'Shift-Tab',
    space: 'Space',
    backspace: 'Backspace',
  };
  if (named[k]) return named[k]!;
  const ctrl = /^ctrl-(.)$/.exec(k);
  if (ctrl) return `Ctrl-${ctrl[1]!.toUpperCase()}`;
  return k;
}

/** Every key name the table may use (config validation). */
export function isValidKeyName(k: string): boolean {
  if ([...k].length === 1) return k !== ' ';
  return /^(up|down|left|right|pageup|pagedown|home|end|enter|escape|tab|shift-tab|space|backspace|ctrl-[a-z])$/.test(
    k,
  );
}

export class Keymap {
  readonly bindings: readonly Binding[];
  private readonly byScope = new Map<Scope, Map<string, Binding>>();
  private readonly byId = new Map<string, Binding>();
  private readonly anywhere = new Map<string, Binding>();

  constructor(bindings: readonly Binding[] = DEFAULT_BINDINGS) {
    this.bindings = bindings;
    for (const b of bindings) {
      this.byId.set(b.id, b);
      let m = this.byScope.get(b.scope);
      if (!m) this.byScope.set(b.scope, (m = new Map()));
      for (const k of b.keys) {
        if (!m.has(k)) m.set(k, b);
        if (b.anywhere && !this.anywhere.has(k)) this.anywhere.set(k, b);
      }
    }
  }

  /** The binding a key runs in the given scopes (most specific first); `anywhere` bindings apply in every scope. */
  resolve(key: string | null, scopes: readonly Scope[]): Binding | null {
    if (key === null) return null;
    for (const s of scopes) {
      const b = this.byScope.get(s)?.get(key);
      if (b) return b;
    }
    return this.anywhere.get(key) ?? null;
  }

  binding(id: string): Binding | undefined {
    return this.byId.get(id);
  }

  keys(id: string): string[] {
    return this.byId.get(id)?.keys ?? [];
  }

  /** "s" or "j/↓" for showing next to a description. */
  label(id: string, unicode = true): string {
    return this.keys(id)
      .map((k) => displayKey(k, unicode))
      .join('/');
  }

  inScope(scope: Scope): Binding[] {
    return this.bindings.filter((b) => b.scope === scope);
  }

  /** The actions of a pane, in table order (the Enter menu). */
  actions(scope: Scope): Binding[] {
    return this.bindings.filter((b) => b.scope === scope && b.action);
  }
}
