/**
 * `.dockerignore` with docker's rules (its pattern matcher): one pattern a
 * line, `#` comments, blank lines skipped, each pattern trimmed and cleaned
 * (`./a/../b` is `b`, a leading `/` dropped), `!` for exceptions; `*` and `?`
 * never match `/`, `**` matches any number of directories (none included),
 * `[...]` classes and `\` escapes as Go's filepath.Match. Patterns apply in
 * order, the last that matches wins, and a pattern that matches a parent
 * directory matches everything under it. Pure.
 */
import { posix } from 'node:path';

export interface IgnorePattern {
  /** The cleaned pattern, without `!`. */
  pattern: string;
  exclusion: boolean;
  re: RegExp;
}

/** The patterns of a .dockerignore file's text. */
export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const line of lines) {
    let p = line.trim();
    if (!p || p.startsWith('#')) continue;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p) {
      p = posix.normalize(p);
      if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push(invert ? '!' + p : p);
  }
  return out;
}

const SPECIAL = new Set(['.', '+', '(', ')', '|', '{', '}', '$', '^']);

function compile(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        re += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      const n = pattern[++i];
      if (n !== undefined) re += n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let cls = pattern.slice(i + 1, end);
        if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += '[' + cls + ']';
        i = end;
      }
    } else if (SPECIAL.has(c)) re += '\\' + c;
    else re += c;
  }
  return new RegExp(re + '$', 's');
}

export class IgnoreMatcher {
  private readonly patterns: IgnorePattern[];

  constructor(patterns: string[]) {
    this.patterns = patterns
      .filter((p) => p !== '!' && p !== '')
      .map((p) => {
        const exclusion = p.startsWith('!');
        const pattern = exclusion ? p.slice(1) : p;
        return { pattern, exclusion, re: compile(pattern) };
      });
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Whether any exception pattern exists (then an ignored directory may still hold included files). */
  get hasExceptions(): boolean {
    return this.patterns.some((p) => p.exclusion);
  }

  /** Whether the context-relative path (`a/b/c`, no leading `./`) is ignored. */
  ignores(path: string): boolean {
    const file = posix
      .normalize(path)
      .replace(/^\.\/?/, '')
      .replace(/\/$/, '');
    const parents = file.split('/').slice(0, -1);
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue;
      let match = p.re.test(file);
      if (!match) {
        for (let i = 1; i <= parents.length && !match; i++) match = p.re.test(parents.slice(0, i).join('/'));
      }
      if (match) matched = !p.exclusion;
    }
    return matched;
  }

  /**
   * Whether a walk may skip an ignored directory's contents: only when no
   * exception could bring something under it back.
   */
  canSkipDir(dir: string): boolean {
    if (!this.ignores(dir)) return false;
    const prefix = dir.replace(/\/$/, '') + '/';
    return !this.patterns.some(
      (p) => p.exclusion && (p.pattern.startsWith(prefix) || p.pattern.includes('*') || p.pattern.includes('?')),
    );
  }
}
