/**
 * A Dockerfile's text as logical lines, with BuildKit's parser rules: a
 * byte-order mark is dropped; parser directives (`# syntax=`, `# escape=`,
 * `# check=`) are read only before the first instruction, comment or empty
 * line, and each at most once; comment lines are dropped, also inside a
 * continued line; a line ending in the escape character (then only blanks)
 * continues on the next; heredocs (`<<EOF`, `<<-EOF`, `<<"EOF"`) on RUN, COPY
 * and ADD take the lines up to their terminator. Pure: text in, lines out.
 */
import { DockerfileError } from './errors.js';

export interface Heredoc {
  /** The terminator word. */
  name: string;
  /** The body, with its final newline (tabs stripped for `<<-`). */
  content: string;
  /** Quoted terminator (`<<"EOF"`, `<<'EOF'`): the body is not expanded. */
  quoted: boolean;
  /** `<<-`: leading tabs were stripped. */
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

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax', 'check']);
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);
/** `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` (not `<<<`, a here-string). */
const HEREDOC = /(?<!<)<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

const isComment = (line: string) => /^\s*#/.test(line);
const isBlank = (line: string) => line.trim() === '';

function readDirectives(lines: string[]): { directives: Directives; first: number } {
  const directives: Directives = { escape: '\\' };
  const seen = new Set<string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (!KNOWN_DIRECTIVES.has(key)) break;
    if (seen.has(key)) throw new DockerfileError(`only one ${key} parser directive can be used`, i + 1);
    seen.add(key);
    const value = m[2]!;
    if (key === 'escape') {
      if (value !== '\\' && value !== '`')
        throw new DockerfileError(`invalid escape token '${value}' does not match \` or \\`, i + 1);
      directives.escape = value;
    } else if (key === 'syntax') directives.syntax = value;
    else directives.check = value;
  }
  return { directives, first: i };
}

/** Heredoc markers on an instruction line, in order (only for RUN, COPY, ADD). */
function heredocMarkers(text: string): { name: string; quoted: boolean; chomp: boolean }[] {
  const word = /^\s*(\S+)/.exec(text)?.[1]?.toUpperCase();
  if (!word || !HEREDOC_INSTRUCTIONS.has(word)) return [];
  const out: { name: string; quoted: boolean; chomp: boolean }[] = [];
  for (const m of text.matchAll(HEREDOC)) out.push({ name: m[3]!, quoted: !!m[2], chomp: m[1] === '-' });
  return out;
}

export function splitLines(source: string): SplitResult {
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const physical = text.split(/\r?\n/);
  if (physical.length && physical[physical.length - 1] === '') physical.pop();
  const { directives, first } = readDirectives(physical);
  const cont = new RegExp('\\' + directives.escape + '[ \\t]*$');
  const lines: LogicalLine[] = [];
  const warnings: string[] = [];

  let i = first;
  while (i < physical.length) {
    const raw = physical[i]!;
    if (isComment(raw) || isBlank(raw)) {
      i++;
      continue;
    }
    const start = i + 1;
    let line = raw.replace(/^\s+/, '');
    let emptyContinuation = false;
    i++;
    while (cont.test(line)) {
      line = line.replace(cont, '');
      let next: string | undefined;
      while (i < physical.length && next === undefined) {
        const l = physical[i]!;
        i++;
        if (isComment(l)) continue;
        if (isBlank(l)) emptyContinuation = true;
        else next = l;
      }
      if (next === undefined) break;
      line += next;
    }
    if (emptyContinuation)
      warnings.push(
        `Empty continuation line found in: ${line.trim()} (line ${start}); this will be an error in a future release`,
      );

    const heredocs: Heredoc[] = [];
    for (const marker of heredocMarkers(line)) {
      const body: string[] = [];
      let closed = false;
      while (i < physical.length) {
        const l = physical[i]!;
        i++;
        const cmp = marker.chomp ? l.replace(/^\t+/, '') : l;
        if (cmp === marker.name) {
          closed = true;
          break;
        }
        body.push(marker.chomp ? l.replace(/^\t+/, '') : l);
      }
      if (!closed) throw new DockerfileError(`unterminated heredoc ${marker.name}`, start);
      heredocs.push({ ...marker, content: body.length ? body.join('\n') + '\n' : '' });
    }
    lines.push({ text: line, start, end: i, heredocs });
  }
  if (!lines.length) throw new DockerfileError('file with no instructions', physical.length || 1);
  return { directives, lines, warnings };
}
