/** Tab completion of a file path, as a shell does it: pure over the directory's entries. */
import { dirname, resolve } from 'node:path';

export interface DirEntry {
  name: string;
  dir: boolean;
}

/** The directory whose entries complete `text` (relative to cwd; "~" is home). */
export function completionDir(text: string, cwd: string, home = ''): string {
  const t = text.replace(/^~(?=\/|$)/, home);
  const slash = t.lastIndexOf('/');
  if (slash < 0) return cwd;
  return resolve(cwd, slash === 0 ? '/' : dirname(t + 'x'));
}

function commonPrefix(names: string[]): string {
  let p = names[0] ?? '';
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/**
 * Complete the last component of `text`: one match is taken whole (a
 * directory gets its "/"), several extend to their common prefix and are
 * returned as candidates. Hidden entries only when the text asks for them.
 */
export function completePath(text: string, entries: readonly DirEntry[]): { text: string; candidates: string[] } {
  const slash = text.lastIndexOf('/');
  const head = text.slice(0, slash + 1);
  const base = text.slice(slash + 1);
  const matches = entries
    .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (!matches.length) return { text, candidates: [] };
  if (matches.length === 1) {
    const m = matches[0]!;
    return { text: head + m.name + (m.dir ? '/' : ''), candidates: [] };
  }
  return {
    text: head + commonPrefix(matches.map((m) => m.name)),
    candidates: matches.map((m) => m.name + (m.dir ? '/' : '')),
  };
}
