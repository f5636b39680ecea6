/**
 * Word expansion for Dockerfile instructions, with BuildKit's rules (its
 * shell lexer): single quotes are literal, double quotes expand variables,
 * the escape character takes the next character literally (inside double
 * quotes only before `"`, `$` and itself), and `$VAR`, `${VAR}`,
 * `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`,
 * `${VAR:?message}`, `${VAR?message}`, `${VAR#pat}`, `${VAR##pat}`,
 * `${VAR%pat}`, `${VAR%%pat}` and `${VAR/pat/repl}` expand from the given
 * variables. Pure: no I/O.
 */
import { invalidArg } from '../../errors.js';

export type Vars = ReadonlyMap<string, string>;

interface Options {
  escape: string;
  /** Split into words on unquoted whitespace (ProcessWords) instead of one word. */
  split: boolean;
}

const isNameStart = (c: string) => /[A-Za-z_]/.test(c);
const isNameChar = (c: string) => /[A-Za-z0-9_]/.test(c);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

class Lexer {
  private pos = 0;
  /** Names that were referenced but not set (BuildKit reports unmatched build args). */
  readonly unset = new Set<string>();

  constructor(
    private readonly src: string,
    private readonly vars: Vars,
    private readonly opts: Options,
  ) {}

  private peek(): string {
    return this.src[this.pos] ?? '';
  }

  private next(): string {
    return this.src[this.pos++] ?? '';
  }

  private get done(): boolean {
    return this.pos >= this.src.length;
  }

  /** The whole input, as one word or as words. */
  run(): string[] {
    const words: string[] = [];
    let word = '';
    let started = false; // a quoted empty string still makes a word
    const flush = () => {
      if (started || word) words.push(word);
      word = '';
      started = false;
    };
    while (!this.done) {
      const c = this.next();
      if (this.opts.split && isSpace(c)) {
        flush();
        continue;
      }
      if (c === this.opts.escape) {
        if (this.done) {
          word += c;
          break;
        }
        word += this.next();
        continue;
      }
      if (c === "'") {
        started = true;
        word += this.singleQuoted();
        continue;
      }
      if (c === '"') {
        started = true;
        word += this.doubleQuoted();
        continue;
      }
      if (c === '$') {
        const v = this.dollar();
        if (this.opts.split) {
          // an unquoted expansion is split into words too
          const parts = v.split(/[ \t\n]+/);
          for (let i = 0; i < parts.length; i++) {
            if (i > 0) flush();
            word += parts[i];
          }
        } else word += v;
        continue;
      }
      word += c;
    }
    flush();
    return words;
  }

  private singleQuoted(): string {
    let out = '';
    for (;;) {
      if (this.done) throw invalidArg('unexpected end of statement while looking for matching single-quote');
      const c = this.next();
      if (c === "'") return out;
      out += c;
    }
  }

  private doubleQuoted(): string {
    let out = '';
    for (;;) {
      if (this.done) throw invalidArg('unexpected end of statement while looking for matching double-quote');
      const c = this.next();
      if (c === '"') return out;
      if (c === this.opts.escape) {
        const n = this.peek();
        if (n === '"' || n === '$' || n === this.opts.escape) {
          out += this.next();
          continue;
        }
        out += c;
        continue;
      }
      if (c === '$') {
        out += this.dollar();
        continue;
      }
      out += c;
    }
  }

  private name(): string {
    let n = '';
    while (!this.done && isNameChar(this.peek())) n += this.next();
    return n;
  }

  private lookup(name: string): string | undefined {
    const v = this.vars.get(name);
    if (v === undefined) this.unset.add(name);
    return v;
  }

  /** After a `$`: a variable, or a literal `$`. */
  private dollar(): string {
    const c = this.peek();
    if (c === '{') {
      this.next();
      return this.braced();
    }
    if (c && isNameStart(c)) return this.lookup(this.name()) ?? '';
    return '$';
  }

  /** The text up to the closing brace of `${...}`, expanded as a word (nested braces and quotes allowed). */
  private wordUntilBrace(): string {
    let depth = 0;
    let raw = '';
    for (;;) {
      if (this.done) throw invalidArg("missing '}' in variable substitution");
      const c = this.next();
      if (c === this.opts.escape && !this.done) {
        raw += c + this.next();
        continue;
      }
      if (c === '{') depth++;
      if (c === '}') {
        if (depth === 0) break;
        depth--;
      }
      raw += c;
    }
    return expandWord(raw, this.vars, this.opts.escape);
  }

  private braced(): string {
    const name = this.name();
    if (!name) throw invalidArg('bad substitution: a variable name is missing after ${');
    if (this.done) throw invalidArg("missing '}' in variable substitution");
    const c = this.next();
    if (c === '}') return this.lookup(name) ?? '';
    const value = this.lookup(name);
    if (c === ':') {
      const op = this.next();
      const word = this.wordUntilBrace();
      const empty = value === undefined || value === '';
      switch (op) {
        case '-':
          return empty ? word : value!;
        case '+':
          return empty ? '' : word;
        case '?':
          if (empty) throw invalidArg(`${name}: ${word || 'is not allowed to be unset'}`);
          return value!;
        default:
          throw invalidArg(`unsupported modifier (:${op}) in substitution`);
      }
    }
    switch (c) {
      case '-': {
        const word = this.wordUntilBrace();
        return value === undefined ? word : value;
      }
      case '+': {
        const word = this.wordUntilBrace();
        return value === undefined ? '' : word;
      }
      case '?': {
        const word = this.wordUntilBrace();
        if (value === undefined) throw invalidArg(`${name}: ${word || 'is not allowed to be unset'}`);
        return value;
      }
      case '#':
      case '%': {
        const longest = this.peek() === c ? (this.next(), true) : false;
        const pat = this.wordUntilBrace();
        return trimPattern(value ?? '', pat, c === '#' ? 'prefix' : 'suffix', longest);
      }
      case '/': {
        const all = this.peek() === '/' ? (this.next(), true) : false;
        const rest = this.rawUntilBrace();
        const slash = rest.indexOf('/');
        const pat = expandWord(slash < 0 ? rest : rest.slice(0, slash), this.vars, this.opts.escape);
        const repl = slash < 0 ? '' : expandWord(rest.slice(slash + 1), this.vars, this.opts.escape);
        return replacePattern(value ?? '', pat, repl, all);
      }
      default:
        throw invalidArg(`unsupported modifier (${c}) in substitution`);
    }
  }

  private rawUntilBrace(): string {
    let raw = '';
    for (;;) {
      if (this.done) throw invalidArg("missing '}' in variable substitution");
      const c = this.next();
      if (c === '}') return raw;
      raw += c;
    }
  }
}

/** A shell glob (`*`, `?`, `[...]`) as an anchored regular expression source. */
function globSource(pat: string): string {
  let out = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i]!;
    if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else if (c === '[') {
      const end = pat.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        let cls = pat.slice(i + 1, end);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        out += '[' + cls.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return out;
}

function trimPattern(value: string, pat: string, side: 'prefix' | 'suffix', longest: boolean): string {
  const re = new RegExp('^' + globSource(pat) + '$');
  if (side === 'prefix') {
    const cuts = [...Array(value.length + 1).keys()];
    if (longest) cuts.reverse();
    for (const n of cuts) if (re.test(value.slice(0, n))) return value.slice(n);
  } else {
    const cuts = [...Array(value.length + 1).keys()].map((n) => value.length - n);
    if (longest) cuts.reverse();
    for (const n of cuts) if (re.test(value.slice(n))) return value.slice(0, n);
  }
  return value;
}

function replacePattern(value: string, pat: string, repl: string, all: boolean): string {
  if (!pat) return value;
  // shell patterns match greedily from the left
  const re = new RegExp(globSource(pat), all ? 'g' : '');
  return value.replace(re, () => repl);
}

/** One word: quotes removed, variables expanded (ENV values, WORKDIR, USER, COPY paths, ...). */
export function expandWord(word: string, vars: Vars, escape = '\\'): string {
  return new Lexer(word, vars, { escape, split: false }).run()[0] ?? '';
}

/** Words split on unquoted whitespace, each with quotes removed and variables expanded. */
export function expandWords(text: string, vars: Vars, escape = '\\'): string[] {
  return new Lexer(text, vars, { escape, split: true }).run();
}

/** The variables a word refers to that are not set (for unused/undefined build-arg reporting). */
export function unsetNames(word: string, vars: Vars, escape = '\\'): string[] {
  const l = new Lexer(word, vars, { escape, split: false });
  l.run();
  return [...l.unset];
}
