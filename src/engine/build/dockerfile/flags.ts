/**
 * The first split of a logical line, as BuildKit's parser does it: the
 * command word, the leading `--flag[=value]` words (quotes and escapes
 * removed), and the arguments in the form each instruction takes them
 * (whitespace-separated, JSON array, words with quotes kept for later
 * expansion). Then the flags checked against an instruction's set, with
 * BuildKit's messages. Pure.
 */
import { invalidArg } from '../../errors.js';

const isSpace = (c: string) => /^\s$/u.test(c);
/** BuildKit's reWhitespace: not newlines (a logical line has none). */
export const WHITESPACE = /[\t\v\f\r ]+/;

/** The leading flag words of `line` and the rest (extractBuilderFlags). */
export function extractFlags(line: string, escape: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let buf = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    let ch = line[pos] ?? '';
    if (phase === 'spaces') {
      if (pos === line.length) break;
      if (isSpace(ch)) continue;
      if (ch !== '-' || line[pos + 1] !== '-') return { flags, rest: line.slice(pos) };
      phase = 'word';
    }
    if (pos === line.length) {
      if (buf !== '--' && (blankOK || buf)) flags.push(buf);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (buf === '--') return { flags, rest: line.slice(pos) };
        if (blankOK || buf) flags.push(buf);
        buf = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === escape) {
        if (pos + 1 === line.length) continue;
        ch = line[++pos]!;
      }
      buf += ch;
      continue;
    }
    // in a quote
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === escape) {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      ch = line[++pos]!;
    }
    buf += ch;
  }
  return { flags, rest: '' };
}

/** The command word, its flags and its trimmed arguments (splitCommand). */
export function splitCommand(line: string, escape: string): { cmd: string; flags: string[]; args: string } {
  const t = line.trim();
  const m = /^(\S+?)[\t\v\f\r ]+([\s\S]*)$/.exec(t);
  if (!m) return { cmd: t, flags: [], args: '' };
  const { flags, rest } = extractFlags(m[2]!, escape);
  return { cmd: m[1]!, flags, args: rest.trim() };
}

/** Words split on whitespace outside quotes, quotes and escapes kept (parseWords: ENV, LABEL, ARG). */
export function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOK = false;
  let buf = '';
  const chars = Array.from(rest);
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = chars[pos] ?? '';
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (pos === chars.length) {
      if (blankOK || buf) words.push(buf);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOK || buf) words.push(buf);
        buf = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue;
        buf += ch;
        ch = chars[++pos]!;
      }
      buf += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      buf += ch;
      ch = chars[++pos]!;
    }
    buf += ch;
  }
  return words;
}

/**
 * The arguments as a JSON array of strings; null when they are not JSON
 * (then they are shell form). A JSON array with other values is an error.
 */
export function parseJsonArray(args: string): string[] | null {
  const t = args.trimStart();
  if (!t.startsWith('[')) return null;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return null;
  }
  if (!Array.isArray(v)) return null;
  if (!v.every((x) => typeof x === 'string'))
    throw invalidArg('when using JSON array syntax, arrays must be comprised of strings only');
  return v as string[];
}

type FlagKind = 'bool' | 'string' | 'strings';

/** An instruction's flags (BuildKit's BFlags): declared, then parsed from the flag words. */
export class FlagSet {
  private readonly kinds = new Map<string, FlagKind>();
  private readonly values = new Map<string, string[]>();
  readonly used = new Set<string>();

  constructor(private readonly words: string[]) {}

  bool(name: string): this {
    this.kinds.set(name, 'bool');
    return this;
  }
  string(name: string): this {
    this.kinds.set(name, 'string');
    return this;
  }
  strings(name: string): this {
    this.kinds.set(name, 'strings');
    return this;
  }

  parse(): this {
    for (const a of this.words) {
      if (a === '--') break;
      if (!a.startsWith('--')) throw invalidArg(`arg should start with -- : ${a}`);
      const eq = a.indexOf('=');
      const flagName = eq < 0 ? a : a.slice(0, eq);
      const value = eq < 0 ? undefined : a.slice(eq + 1);
      const name = flagName.slice(2);
      const kind = this.kinds.get(name);
      if (!kind) throw invalidArg(`unknown flag: ${flagName}`);
      if (this.used.has(name) && kind !== 'strings') throw invalidArg(`duplicate flag specified: ${flagName}`);
      this.used.add(name);
      if (kind === 'bool') {
        if (value === '') throw invalidArg(`missing a value on flag: ${flagName}`);
        const v = (value ?? 'true').toLowerCase();
        if (v !== 'true' && v !== 'false')
          throw invalidArg(`expecting boolean value for flag ${flagName}, not: ${value}`);
        this.values.set(name, [v]);
        continue;
      }
      if (value === undefined) throw invalidArg(`missing a value on flag: ${flagName}`);
      this.values.set(name, kind === 'strings' ? [...(this.values.get(name) ?? []), value] : [value]);
    }
    return this;
  }

  /** A string flag's value ('' when not given). */
  get(name: string): string {
    return this.values.get(name)?.[0] ?? '';
  }
  /** A bool flag: true when given as true. */
  isTrue(name: string): boolean {
    return this.values.get(name)?.[0] === 'true';
  }
  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }
}
