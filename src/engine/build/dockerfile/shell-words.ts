/**
 * Word expansion for Dockerfile instructions with BuildKit's rules (its
 * shell lexer, frontend/dockerfile/shell): single quotes are literal, double
 * quotes expand variables, the escape character takes the next character
 * literally (inside double quotes only before `"`, `$` and itself), `$VAR`,
 * `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`,
 * `${VAR:?message}`, `${VAR?message}`, `${VAR#pat}`, `${VAR##pat}`,
 * `${VAR%pat}`, `${VAR%%pat}`, `${VAR/pat/repl}` and `${VAR//pat/repl}`;
 * `$1`, `$@` and the other special parameters expand to nothing. Words split
 * on unquoted whitespace (also inside an unquoted expansion); a quoted empty
 * string makes no word, as in BuildKit. Pure: no I/O.
 */
import { invalidArg } from '../../errors.js';

export type Vars = ReadonlyMap<string, string>;

export interface LexOptions {
  /** The escape character: `\` (default) or the `# escape=` directive's backtick. */
  escape?: string;
  /** Keep quote characters in the result (the heredoc detection). */
  rawQuotes?: boolean;
  /** Keep escape characters in the result. */
  rawEscapes?: boolean;
  /** Leave unset variables as written (`$X`, `${X}`). */
  skipUnsetEnv?: boolean;
  /** Quotes are plain characters (heredoc bodies). */
  skipProcessQuotes?: boolean;
}

export interface WordResult {
  result: string;
  words: string[];
  /** Variables the word used that are set. */
  matched: Set<string>;
  /** Variables the word used that are not set. */
  unmatched: Set<string>;
}

const EOF = '';
const isSpace = (c: string) => /^\s$/u.test(c);
const isDigit = (c: string) => /^\p{Nd}$/u.test(c);
const isLetter = (c: string) => /^\p{L}$/u.test(c);
const isSpecialParam = (c: string) => '@*#?-$!0'.includes(c) && c !== '';

class Words {
  buf = '';
  words: string[] = [];
  inWord = false;
  addChar(c: string): void {
    if (isSpace(c) && this.inWord) {
      if (this.buf) {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
    } else if (!isSpace(c)) this.addRawChar(c);
  }
  addRawChar(c: string): void {
    this.buf += c;
    this.inWord = true;
  }
  addString(s: string): void {
    for (const c of s) this.addChar(c);
  }
  addRawString(s: string): void {
    this.buf += s;
    this.inWord = true;
  }
  get(): string[] {
    if (this.buf) {
      this.words.push(this.buf);
      this.buf = '';
      this.inWord = false;
    }
    return this.words;
  }
}

class Lexer {
  private readonly chars: string[];
  private pos = 0;
  private rawEscapes: boolean;
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  private readonly escape: string;

  constructor(
    src: string,
    private readonly vars: Vars,
    private readonly o: LexOptions,
  ) {
    this.chars = Array.from(src);
    this.rawEscapes = !!o.rawEscapes;
    this.escape = o.escape ?? '\\';
  }

  private peek(): string {
    return this.chars[this.pos] ?? EOF;
  }

  private next(): string {
    return this.chars[this.pos++] ?? EOF;
  }

  private getEnv(name: string): string | undefined {
    const v = this.vars.get(name);
    (v === undefined ? this.unmatched : this.matched).add(name);
    return v;
  }

  /** The text up to stopChar (consumed), or to the end when stopChar is EOF. */
  processStopOn(stopChar: string, rawEscapes: boolean): { result: string; words: string[] } {
    let result = '';
    const words = new Words();
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      while (this.peek() !== EOF) {
        const ch = this.peek();
        if (stopChar !== EOF && ch === stopChar) {
          this.next();
          return { result, words: words.get() };
        }
        const fn =
          ch === '$'
            ? () => this.processDollar()
            : ch === '<'
              ? () => this.processPossibleHeredoc()
              : !this.o.skipProcessQuotes && ch === "'"
                ? () => this.processSingleQuote()
                : !this.o.skipProcessQuotes && ch === '"'
                  ? () => this.processDoubleQuote()
                  : null;
        if (fn) {
          const tmp = fn();
          result += tmp;
          if (ch === '$') words.addString(tmp);
          else words.addRawString(tmp);
          continue;
        }
        let c = this.next();
        if (c === this.escape) {
          if (this.rawEscapes) {
            words.addRawChar(c);
            result += c;
          }
          c = this.next();
          if (c === EOF) break;
          words.addRawChar(c);
        } else words.addChar(c);
        result += c;
      }
      if (stopChar !== EOF) throw invalidArg(`unexpected end of statement while looking for matching ${stopChar}`);
      return { result, words: words.get() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  private processSingleQuote(): string {
    let out = this.o.rawQuotes ? this.next() : (this.next(), '');
    for (;;) {
      const c = this.next();
      if (c === EOF) throw invalidArg('unexpected end of statement while looking for matching single-quote');
      if (c === "'") return this.o.rawQuotes ? out + c : out;
      out += c;
    }
  }

  private processDoubleQuote(): string {
    let out = this.o.rawQuotes ? this.next() : (this.next(), '');
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw invalidArg('unexpected end of statement while looking for matching double-quote');
      if (p === '"') {
        const c = this.next();
        return this.o.rawQuotes ? out + c : out;
      }
      if (p === '$') {
        out += this.processDollar();
        continue;
      }
      let c = this.next();
      if (c === this.escape) {
        if (this.rawEscapes) out += c;
        const n = this.peek();
        if (n === EOF) continue;
        if (n === '"' || n === '$' || n === this.escape) c = this.next();
      }
      out += c;
    }
  }

  private processName(): string {
    let name = '';
    while (this.peek() !== EOF) {
      const c = this.peek();
      if (!name && isDigit(c)) {
        while (this.peek() !== EOF && isDigit(this.peek())) name += this.next();
        return name;
      }
      if (!name && isSpecialParam(c)) return this.next();
      if (!isLetter(c) && !isDigit(c) && c !== '_') break;
      name += this.next();
    }
    return name;
  }

  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== '<') return '<';
    this.next();
    let space = '';
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === '\r') space += this.next();
    return '<<' + space;
  }

  private stopOnOrMissing(stop: string, raw: boolean, missing: string): string {
    try {
      return this.processStopOn(stop, raw).result;
    } catch (e) {
      if (this.peek() === EOF) throw invalidArg(missing);
      throw e;
    }
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.processName();
      if (!name) return '$';
      const v = this.getEnv(name);
      if (v === undefined && this.o.skipUnsetEnv) return '$' + name;
      return v ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw invalidArg("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw invalidArg('syntax error: bad substitution');
    const name = this.processName();
    let ch = this.next();
    if (ch === EOF) throw invalidArg("syntax error: missing '}'");
    let chs = ch;
    let nullIsUnset = false;
    if (ch === '}') {
      const v = this.getEnv(name);
      if (v === undefined && this.o.skipUnsetEnv) return `\${${name}}`;
      return v ?? '';
    }
    if (ch === '/') {
      const all = this.peek() === '/';
      if (all) this.next();
      const pattern = this.stopOnOrMissing('/', true, "syntax error: missing '/' in ${}");
      const repl = this.stopOnOrMissing('}', true, "syntax error: missing '}'");
      const v = this.getEnv(name);
      if (v === undefined && this.o.skipUnsetEnv) return `\${${name}/${pattern}/${repl}}`;
      const re = shellPatternRegex(pattern, true, false, all);
      return (v ?? '').replace(re, () => repl);
    }
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.next();
      chs += ch;
    }
    if (!'+-?#%'.includes(ch) || ch === EOF) throw invalidArg(`unsupported modifier (${chs}) in substitution`);
    const rawEscapes = ch === '#' || ch === '%';
    if (nullIsUnset && rawEscapes) throw invalidArg(`unsupported modifier (${chs}) in substitution`);
    let word = this.stopOnOrMissing('}', rawEscapes, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (value === undefined && this.o.skipUnsetEnv) return `\${${name}${chs}${word}}`;
    const empty = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case '-':
        return empty ? word : value!;
      case '+':
        return empty ? '' : word;
      case '?':
        if (value === undefined) throw invalidArg(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw invalidArg(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      default: {
        const greedy = word.startsWith(ch);
        if (greedy) word = word.slice(1);
        return ch === '%' ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy);
      }
    }
  }
}

/** A shell pattern (`*`, `?`, `\` escapes; brackets are literal, as in BuildKit) as a regular expression. */
export function shellPatternRegex(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    let c = chars[i]!;
    if (c === '*') out += greedy ? '.*' : '.*?';
    else if (c === '?') out += '.';
    else if (c === '\\') {
      if (chars[i + 1] === '}' || chars[i + 1] === '/') continue;
      c = chars[++i] ?? '';
      if (c !== '*' && c !== '?' && c !== '\\') throw invalidArg(`invalid pattern (${pattern}) in substitution`);
      out += '\\' + c;
    } else if ('[]{}.+()|^$'.includes(c)) out += '\\' + c;
    else out += c;
  }
  return new RegExp(out, global ? 'gu' : 'u');
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = shellPatternRegex(pattern, greedy, true).exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** The pattern reversed with escapes kept before their character. */
function reversePattern(pattern: string): string {
  const p = Array.from(pattern);
  const out: string[] = new Array(p.length);
  const last = p.length - 1;
  for (let i = 0; i <= last;) {
    if (p[i] === '\\' && i !== last) {
      out[last - i - 1] = p[i]!;
      out[last - i] = p[i + 1]!;
      i += 2;
    } else {
      out[last - i] = p[i]!;
      i++;
    }
  }
  return out.join('');
}

const reverse = (s: string) => Array.from(s).reverse().join('');

function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

function run(word: string, vars: Vars, opts: LexOptions): WordResult {
  const lexer = new Lexer(word, vars, opts);
  try {
    const { result, words } = lexer.processStopOn(EOF, !!opts.rawEscapes);
    return { result, words, matched: lexer.matched, unmatched: lexer.unmatched };
  } catch (e) {
    throw invalidArg(`failed to process "${word}": ${(e as Error).message}`, e);
  }
}

/** One word: quotes removed, variables expanded, with the variables it used. */
export function processWord(word: string, vars: Vars, opts: LexOptions = {}): WordResult {
  return run(word, vars, opts);
}

/** One word: quotes removed, variables expanded (ENV values, WORKDIR, USER, COPY paths, ...). */
export function expandWord(word: string, vars: Vars, escape = '\\'): string {
  return run(word, vars, { escape }).result;
}

/** Words split on unquoted whitespace, each with quotes removed and variables expanded. */
export function expandWords(text: string, vars: Vars, escape = '\\', opts: LexOptions = {}): string[] {
  return run(text, vars, { ...opts, escape }).words;
}

/** The variables a word refers to that are not set (for unused/undefined build-arg reporting). */
export function unsetNames(word: string, vars: Vars, escape = '\\'): string[] {
  return [...run(word, vars, { escape }).unmatched];
}
