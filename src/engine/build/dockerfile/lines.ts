/**
 * A Dockerfile's text as logical lines, with BuildKit's parser rules: a
 * byte-order mark is dropped; parser directives (`# syntax=`, `# escape=`,
 * `# check=`) are read only before the first instruction, comment or empty
 * line, and each at most once; comment lines are dropped, also inside a
 * continued line; a line ending in the escape character (then only blanks,
 * and not itself escaped) continues on the next; heredocs (`<<EOF`,
 * `<<-EOF`, `<<"EOF"`, `3<<EOF`) on RUN, COPY and ADD in shell form (and
 * ONBUILD of those) take the lines up to their terminator. Pure.
 */
import { DockerfileError } from './errors.js';
import { parseJsonArray, splitCommand } from './flags.js';
import { processWord } from './shell-words.js';

export interface Heredoc {
  /** The terminator word. */
  name: string;
  /** The body as written, each line with its line ending. */
  content: string;
  /** The terminator was not quoted: the body's variables are expanded (COPY). */
  expand: boolean;
  /** `<<-`: leading tabs are stripped (from the terminator line now, from the body when used). */
  chomp: boolean;
}

export interface LogicalLine {
  /** The instruction text, continuations joined, comments dropped. */
  text: string;
  /** 1-based first and last physical line (heredoc bodies included). */
  start: number;
  end: number;
  heredocs: Heredoc[];
}

export interface Directives {
  escape: string;
  syntax?: string;
  check?: string;
}

export interface SplitResult {
  directives: Directives;
  lines: LogicalLine[];
  warnings: string[];
}

const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax', 'check']);
const HEREDOC_COMMANDS = new Set(['run', 'copy', 'add']);
const HEREDOC_WORD = /^(\d*)<<(-?)\s*([^<]*)$/s;

const trimNewline = (s: string) => s.replace(/[\r\n]+$/, '');
const trimLeft = (s: string) => s.replace(/^\s+/u, '');
const isComment = (s: string) => trimLeft(s).startsWith('#');
const none = new Map<string, string>();

class DirectiveParser {
  done = false;
  private readonly seen = new Set<string>();
  readonly directives: Directives = { escape: '\\' };

  /** Whether the (left-trimmed) line was a directive; throws on a repeated or bad one. */
  parse(line: string, lineNo: number): boolean {
    if (this.done) return false;
    if (!line.startsWith('#')) return ((this.done = true), false);
    const m = DIRECTIVE.exec(trimLeft(line.slice(1)));
    const key = m?.[1]?.toLowerCase();
    if (!m || !key || !KNOWN_DIRECTIVES.has(key)) return ((this.done = true), false);
    if (this.seen.has(key)) throw new DockerfileError(`only one ${key} parser directive can be used`, lineNo);
    this.seen.add(key);
    const value = m[2]!;
    if (key === 'escape') {
      if (value !== '\\' && value !== '`')
        throw new DockerfileError(`invalid escape token '${value}' does not match \` or \\`, lineNo);
      this.directives.escape = value;
    } else if (key === 'syntax') this.directives.syntax = value;
    else this.directives.check = value;
    return true;
  }
}

/** Whether the instruction on this line takes heredocs (RUN, COPY, ADD, also under ONBUILD; not JSON form). */
function canContainHeredoc(line: string, escape: string): boolean {
  let node = splitCommand(line, escape);
  if (node.cmd.toLowerCase() === 'onbuild' && node.args) node = splitCommand(node.args, escape);
  const cmd = node.cmd.toLowerCase();
  if (!HEREDOC_COMMANDS.has(cmd)) return false;
  return parseJsonArray(node.args) === null;
}

/** A heredoc word (`<<EOF`, `<<-"EOF"`) as its marker, or null (heredocFromMatch). */
export function parseHeredocWord(word: string): Omit<Heredoc, 'content'> | null {
  const m = HEREDOC_WORD.exec(word);
  if (!m || !m[3]) return null;
  const rest = m[3];
  const words = processWord(rest, none, { skipUnsetEnv: true }).words;
  if (words.length !== 1) return null;
  const raw = processWord(rest, none, { skipUnsetEnv: true, rawQuotes: true }).words;
  const quotes = (s: string) => (s.match(/['"]/g) ?? []).length;
  return { name: words[0]!, chomp: m[2] === '-', expand: quotes(words[0]!) === quotes(raw[0] ?? '') };
}

function heredocMarkers(line: string): Omit<Heredoc, 'content'>[] {
  let words: string[];
  try {
    words = processWord(line, none, { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true }).words;
  } catch {
    return [];
  }
  return words.map(parseHeredocWord).filter((h): h is Omit<Heredoc, 'content'> => h !== null);
}

/** `<<-` bodies: each line's leading tabs removed (ChompHeredocContent). */
export const chompHeredoc = (s: string) => s.replace(/^\t+/gm, '');

export function splitLines(source: string): SplitResult {
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  // physical lines with their endings, as BuildKit's scanner yields them
  const physical = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const d = new DirectiveParser();
  let escape = '\\';
  let cont = continuation(escape);
  const lines: LogicalLine[] = [];
  const warnings: string[] = [];
  let i = 0;
  const processLine = (raw: string, stripLeft: boolean): string | null => {
    let t = trimNewline(raw);
    if (stripLeft) t = trimLeft(t);
    if (d.parse(t, i + 1) && d.directives.escape !== escape) {
      escape = d.directives.escape;
      cont = continuation(escape);
    }
    return isComment(t) ? null : t;
  };
  while (i < physical.length) {
    const first = processLine(physical[i]!, true);
    i++;
    const start = i;
    if (first === null) continue;
    let [line, end] = trimContinuation(first, cont);
    if (end && line === '') continue;
    let emptyContinuation = false;
    while (!end && i < physical.length) {
      const raw = physical[i]!;
      const next = processLine(raw, false);
      i++;
      if (isComment(raw)) continue;
      if (trimLeft(next ?? '') === '') {
        emptyContinuation = true;
        continue;
      }
      let part: string;
      [part, end] = trimContinuation(next!, cont);
      line += part;
    }
    if (emptyContinuation) warnings.push(`Empty continuation line found in: ${line}`);
    const heredocs: Heredoc[] = [];
    const takes = (() => {
      try {
        return line.includes('<<') && canContainHeredoc(line, escape);
      } catch (e) {
        throw new DockerfileError((e as Error).message, start, i, { cause: e });
      }
    })();
    if (takes) {
      for (const marker of heredocMarkers(line)) {
        let content = '';
        let closed = false;
        while (i < physical.length) {
          const raw = physical[i]!;
          i++;
          const t = trimNewline(raw);
          if ((marker.chomp ? t.replace(/^\t+/, '') : t) === marker.name) {
            closed = true;
            break;
          }
          content += raw;
        }
        if (!closed) throw new DockerfileError('unterminated heredoc', start, i);
        heredocs.push({ ...marker, content });
      }
    }
    lines.push({ text: line, start, end: i, heredocs });
  }
  if (!lines.length) throw new DockerfileError('file with no instructions', physical.length || 1);
  return { directives: d.directives, lines, warnings };
}

function continuation(escape: string): RegExp {
  const e = escape === '\\' ? '\\\\' : escape;
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

function trimContinuation(line: string, cont: RegExp): [string, boolean] {
  if (cont.test(line)) return [line.replace(cont, '$1'), false];
  return [line, true];
}
