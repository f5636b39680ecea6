/**
 * A line editor as a pure function: the text of a prompt or dialog field
 * and its cursor, changed by one key press. Single-line fields turn pasted
 * newlines into spaces; multi-line fields keep them (Enter adds one).
 */
import type { KeyPress } from '../keymap/keys.js';

export interface Edit {
  text: string;
  /** Index into text (UTF-16 units, always on a code point boundary). */
  cursor: number;
}

export const edit = (text = ''): Edit => ({ text, cursor: text.length });

const prevBoundary = (s: string, i: number) =>
  i >= 2 && /[\uDC00-\uDFFF]/.test(s[i - 1]!) ? i - 2 : Math.max(0, i - 1);
const nextBoundary = (s: string, i: number) => (/[\uD800-\uDBFF]/.test(s[i] ?? '') ? i + 2 : Math.min(s.length, i + 1));

function insert(e: Edit, t: string): Edit {
  return { text: e.text.slice(0, e.cursor) + t + e.text.slice(e.cursor), cursor: e.cursor + t.length };
}

/** Apply one key press; null when the key is not an editing key (the caller handles it). */
export function applyEditKey(e: Edit, input: string, key: KeyPress, multiline = false): Edit | null {
  const { text, cursor } = e;
  if (key.leftArrow) return { text, cursor: prevBoundary(text, cursor) };
  if (key.rightArrow) return { text, cursor: nextBoundary(text, cursor) };
  if (key.home || (key.ctrl && input === 'a'))
    return { text, cursor: multiline ? text.lastIndexOf('\n', cursor - 1) + 1 : 0 };
  if (key.end || (key.ctrl && input === 'e')) {
    const nl = text.indexOf('\n', cursor);
    return { text, cursor: multiline && nl >= 0 ? nl : text.length };
  }
  if (key.backspace || key.delete) {
    if (cursor === 0) return e;
    const from = prevBoundary(text, cursor);
    return { text: text.slice(0, from) + text.slice(cursor), cursor: from };
  }
  if (key.ctrl && input === 'u') return { text: text.slice(cursor), cursor: 0 };
  if (key.ctrl && input === 'k') return { text: text.slice(0, cursor), cursor };
  if (key.ctrl && input === 'w') {
    const before = text.slice(0, cursor);
    const from = before.replace(/\S+\s*$/, '').length;
    return { text: text.slice(0, from) + text.slice(cursor), cursor: from };
  }
  if (multiline && key.return) return insert(e, '\n');
  if (
    key.ctrl ||
    key.meta ||
    key.tab ||
    key.escape ||
    key.return ||
    key.upArrow ||
    key.downArrow ||
    key.pageUp ||
    key.pageDown
  )
    return null;
  if (!input) return null;
  // typed or pasted text: drop control characters; newlines only where allowed
  let t = input.replace(/\r\n?/g, '\n');
  t = multiline ? t : t.replace(/\n/g, ' ');
  t = t.replace(/[\x00-\x09\x0b-\x1f\x7f]/g, '');
  return t ? insert(e, t) : e;
}
