/**
 * `.dockerignore` with docker's rules (moby's ignorefile reader and
 * patternmatcher): one pattern a line; a line starting with `#` is a
 * comment; each pattern trimmed and cleaned (`./a/../b` is `b`, a leading
 * `/` dropped), `!` for exceptions; `*` and `?` never match `/`, `**`
 * matches any number of directories (none included), `[...]` classes and
 * `\` escapes pass to the regular expression as docker passes them. Patterns
 * apply in order and the last that matches wins; a pattern that matches a
 * parent directory matches everything under it (MatchesOrParentMatches, as
 * BuildKit's context walk applies them). Pure.
 */
import { posix } from 'node:path';
import { invalidArg } from '../engine/errors.js';

/** Go's filepath.Clean for slash paths. */
export function cleanPath(p: string): string {
  if (!p) return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** The patterns of a .dockerignore file's text (ignorefile.ReadAll). */
export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    let p = line.trim();
    if (!p) continue;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p) {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push(invert ? '!' + p : p);
  }
  return out;
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

export interface IgnorePattern {
  /** The cleaned pattern, without `!`. */
  pattern: string;
  exclusion: boolean;
  /** How many path components it has. */
  dirs: number;
  type: MatchType;
  re: RegExp | null;
}

const ESCAPE = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

function compile(pattern: string): { type: MatchType; re: RegExp | null } {
  let reStr = '^';
  let type: MatchType = 'exact';
  const chars = Array.from(pattern);
  for (let i = 0, pos = 0; pos < chars.length; i++) {
    const ch = chars[pos++]!;
    if (ch === '*') {
      if (chars[pos] === '*') {
        pos++;
        if (chars[pos] === '/') pos++;
        if (pos >= chars.length) {
          if (type === 'exact') type = 'prefix';
          else {
            reStr += '.*';
            type = 'regexp';
          }
        } else {
          reStr += '(.*/)?';
          type = 'regexp';
        }
        if (i === 0) type = 'suffix';
      } else {
        reStr += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      reStr += '[^/]';
      type = 'regexp';
    } else if (ESCAPE.has(ch)) reStr += '\\' + ch;
    else if (ch === '\\') {
      if (pos < chars.length) {
        reStr += '\\' + chars[pos++];
        type = 'regexp';
      } else reStr += '\\\\';
    } else if (ch === '[' || ch === ']') {
      reStr += ch;
      type = 'regexp';
    } else reStr += ch;
  }
  if (type !== 'regexp') return { type, re: null };
  try {
    return { type, re: new RegExp(reStr + '$', 's') };
  } catch {
    throw invalidArg(`syntax error in pattern: ${pattern}`);
  }
}

function matches(p: IgnorePattern, path: string): boolean {
  switch (p.type) {
    case 'exact':
      return path === p.pattern;
    case 'prefix':
      return path.startsWith(p.pattern.slice(0, -2));
    case 'suffix': {
      const suffix = p.pattern.slice(2);
      if (path.endsWith(suffix)) return true;
      return suffix.startsWith('/') && path === suffix.slice(1);
    }
    case 'regexp':
      return p.re!.test(path);
  }
}

export class IgnoreMatcher {
  readonly patterns: IgnorePattern[];

  constructor(patterns: string[]) {
    this.patterns = [];
    for (let raw of patterns) {
      raw = raw.trim();
      if (!raw) continue;
      raw = cleanPath(raw);
      const exclusion = raw.startsWith('!');
      if (exclusion && raw.length === 1) throw invalidArg('illegal exclusion pattern: "!"');
      const pattern = exclusion ? raw.slice(1) : raw;
      this.patterns.push({ pattern, exclusion, dirs: pattern.split('/').length, ...compile(pattern) });
    }
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
    const file = cleanPath(path).replace(/^\.\//, '');
    if (file === '.') return false;
    const parents = file.split('/').slice(0, -1);
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue;
      let match = matches(p, file);
      for (let i = 1; !match && i <= parents.length; i++) match = matches(p, parents.slice(0, i).join('/'));
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
    return !this.patterns.some((p) => p.exclusion && (p.pattern.startsWith(prefix) || p.type !== 'exact'));
  }
}
