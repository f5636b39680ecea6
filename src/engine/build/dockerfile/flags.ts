/**
 * Instruction flags (`--mount=...`, `--from=...`, `--link`) and the words of
 * an instruction's arguments, split as BuildKit splits them: on whitespace
 * outside quotes, with quotes and escapes kept in the word (the expansion
 * later removes them). Pure.
 */
import { invalidArg } from '../../errors.js';

/** Words of `text` split on unquoted whitespace, quotes and escapes kept; with each word's end offset. */
export function rawWords(text: string, escape: string): { word: string; end: number }[] {
  const out: { word: string; end: number }[] = [];
  let word = '';
  let quote: string | null = null;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (!quote && /\s/.test(c)) {
      if (inWord) out.push({ word, end: i });
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === escape && i + 1 < text.length) {
      word += c + text[++i];
      continue;
    }
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    word += c;
  }
  if (inWord) out.push({ word, end: text.length });
  return out;
}

export interface FlagSpec {
  /** Flags that take a value, and whether they repeat. */
  values?: Record<string, 'once' | 'many'>;
  /** Flags that are booleans (`--link`, `--link=true`). */
  bools?: string[];
}

export interface Flags {
  values: Map<string, string[]>;
  bools: Set<string>;
  /** The arguments after the flags. */
  rest: string;
}

const unquote = (v: string) => (/^"(.*)"$/s.test(v) || /^'(.*)'$/s.test(v) ? v.slice(1, -1) : v);

/** Leading `--flag[=value]` words of `args`, checked against the instruction's flags. */
export function parseFlags(args: string, spec: FlagSpec, escape: string): Flags {
  const values = new Map<string, string[]>();
  const bools = new Set<string>();
  let offset = 0;
  for (const { word, end } of rawWords(args, escape)) {
    if (!word.startsWith('--')) break;
    offset = end;
    if (word === '--') break;
    const eq = word.indexOf('=');
    const name = (eq < 0 ? word.slice(2) : word.slice(2, eq)).toLowerCase();
    const value = eq < 0 ? undefined : unquote(word.slice(eq + 1));
    if (spec.bools?.includes(name)) {
      if (value !== undefined && value !== 'true' && value !== 'false')
        throw invalidArg(`expecting boolean value for flag ${name}, not: ${value}`);
      if (value !== 'false') bools.add(name);
      continue;
    }
    const kind = spec.values?.[name];
    if (!kind) throw invalidArg(`unknown flag: ${name}`);
    if (value === undefined) throw invalidArg(`missing a value on flag: ${name}`);
    const list = values.get(name) ?? [];
    if (kind === 'once' && list.length) throw invalidArg(`duplicate flag specified: ${name}`);
    list.push(value);
    values.set(name, list);
  }
  return { values, bools, rest: args.slice(offset).trim() };
}

/** The arguments as a JSON array of strings, or null when they are not one (then they are shell form). */
export function jsonArray(args: string): string[] | null {
  const t = args.trim();
  if (!t.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    // not JSON: shell form
  }
  return null;
}
