/**
 * Parsing Go's text/template as far as docker's --format uses it: actions,
 * pipelines, if/else/range/with/end, variables, literals. Every command and
 * field keeps where it started ("line:col") for error messages.
 */
import { BerthError } from '../../engine/errors.js';

export type Node =
  | { t: 'text'; s: string }
  | { t: 'action'; pipe: Pipe }
  | { t: 'if' | 'with'; pipe: Pipe; then: Node[]; else: Node[] }
  | { t: 'range'; pipe: Pipe; vars: string[]; body: Node[]; else: Node[] };

export interface Pipe {
  decl: string[];
  cmds: Arg[][];
  /** Where each command starts ("line:col") and its text, for error messages. */
  at: { loc: string; text: string }[];
}

export type Arg =
  | { k: 'field'; base: 'dot' | string; path: string[]; loc: string; text: string }
  | { k: 'lit'; v: unknown }
  | { k: 'ident'; name: string }
  | { k: 'pipe'; pipe: Pipe; path: string[] };

interface Tok {
  s: string;
  /** Offset in the template source. */
  pos: number;
}

/** Maps a source offset to Go's "line:col" (col counted from 0, as text/template does). */
export type Locate = (pos: number) => string;

export const fail = (msg: string) => new BerthError('INVALID_ARGUMENT', `template parsing error: ${msg}`);
export const execFail = (msg: string) => new BerthError('INVALID_ARGUMENT', `template parsing error: template: ${msg}`);

/** A failure while evaluating a node; becomes Go's `template: :L:C: executing "" at <node>: msg`. */
export class EvalError extends Error {}
export const at = (loc: string, text: string, msg: string) => execFail(`:${loc}: executing "" at <${text}>: ${msg}`);

// ---- lexing actions ----

function tokenize(src: string, base = 0): Tok[] {
  const toks: Tok[] = [];
  const push = (t: string, start: number) => toks.push({ s: t, pos: base + start });
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw fail('unterminated quoted string');
      push(src.slice(i, j + 1), i);
      i = j + 1;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) throw fail('unterminated raw quoted string');
      push(src.slice(i, j + 1), i);
      i = j + 1;
    } else if (c === '(' || c === ')' || c === '|' || c === ',') {
      push(c, i);
      i++;
    } else if (src.startsWith(':=', i)) {
      push(':=', i);
      i += 2;
    } else if (c === '=') {
      push('=', i);
      i++;
    } else {
      let j = i;
      while (j < src.length && !/[\s()|,"`]/.test(src[j]!) && !src.startsWith(':=', j)) j++;
      push(src.slice(i, j), i);
      i = j;
    }
  }
  return toks;
}

function parseOperand(t: Tok, locate: Locate): Arg {
  const tok = t.s;
  // Go reports a chain of fields at its second link (.Config.Nope at .Nope)
  const second = tok.indexOf('.', 1);
  const loc = locate(t.pos + (tok.startsWith('.') && second > 0 ? second : 0));
  if (tok === '.') return { k: 'field', base: 'dot', path: [], loc, text: tok };
  if (tok.startsWith('.')) return { k: 'field', base: 'dot', path: tok.slice(1).split('.'), loc, text: tok };
  if (tok.startsWith('$')) {
    const [name, ...path] = tok.split('.');
    return { k: 'field', base: name!, path, loc: locate(t.pos), text: tok };
  }
  if (tok.startsWith('"')) return { k: 'lit', v: JSON.parse(tok) };
  if (tok.startsWith('`')) return { k: 'lit', v: tok.slice(1, -1) };
  if (tok === 'true' || tok === 'false') return { k: 'lit', v: tok === 'true' };
  if (tok === 'nil') return { k: 'lit', v: null };
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(tok)) return { k: 'lit', v: Number(tok) };
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(tok)) return { k: 'ident', name: tok };
  throw fail(`unexpected "${tok}" in command`);
}

function parsePipe(toks: Tok[], locate: Locate, pos = { i: 0 }, stopAtParen = false): Pipe {
  const decl: string[] = [];
  const str = (i: number) => toks[i]?.s;
  // variable declarations: $x := ... or $i, $v := ...
  const save = pos.i;
  const vars: string[] = [];
  while (str(pos.i)?.startsWith('$') && /^\$\w*$/.test(str(pos.i)!)) {
    vars.push(str(pos.i++)!);
    if (str(pos.i) === ',') pos.i++;
    else break;
  }
  if (vars.length && (str(pos.i) === ':=' || str(pos.i) === '=')) {
    pos.i++;
    decl.push(...vars);
  } else pos.i = save;
  const cmds: Arg[][] = [];
  const where: Pipe['at'] = [];
  let cur: Arg[] = [];
  let start = pos.i;
  const finish = (end: number) => {
    cmds.push(cur);
    where.push({
      loc: locate(toks[start]!.pos),
      text: toks
        .slice(start, end)
        .map((t) => t.s)
        .join(' '),
    });
  };
  while (pos.i < toks.length) {
    const tok = toks[pos.i++]!;
    if (tok.s === ')') {
      if (!stopAtParen) throw fail('unexpected right paren');
      if (cur.length) finish(pos.i - 1);
      cur = [];
      break;
    }
    if (tok.s === '|') {
      if (!cur.length) throw fail('missing command before |');
      finish(pos.i - 1);
      cur = [];
      start = pos.i;
      continue;
    }
    if (tok.s === '(') {
      const inner = parsePipe(toks, locate, pos, true);
      let path: string[] = [];
      const next = str(pos.i);
      if (next && next.startsWith('.') && next.length > 1) {
        path = next.slice(1).split('.');
        pos.i++;
      }
      cur.push({ k: 'pipe', pipe: inner, path });
      continue;
    }
    cur.push(parseOperand(tok, locate));
  }
  if (cur.length) finish(pos.i);
  if (!cmds.length) throw fail('missing value for command');
  return { decl, cmds, at: where };
}

// ---- parsing the template ----

interface Action {
  kind: 'text' | 'act';
  s: string;
  /** Offset of s in the source (actions only). */
  pos: number;
}

export function split(src: string): Action[] {
  const out: Action[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ kind: 'text', s: src.slice(i), pos: i });
      break;
    }
    let text = src.slice(i, open);
    let inner = open + 2;
    if (src.startsWith('{{- ', open) || src.startsWith('{{-\t', open) || src.startsWith('{{-\n', open)) {
      text = text.replace(/\s+$/, '');
      inner = open + 3;
    }
    if (text) out.push({ kind: 'text', s: text, pos: i });
    const close = src.indexOf('}}', inner);
    if (close < 0) throw fail('unclosed action');
    let body = src.slice(inner, close);
    i = close + 2;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -2);
      const m = /^\s*/.exec(src.slice(i))!;
      i += m[0].length;
    }
    out.push({ kind: 'act', s: body.trim(), pos: inner + (body.length - body.trimStart().length) });
  }
  return out;
}

export function parseNodes(
  actions: Action[],
  pos: { i: number },
  ends: string[],
  locate: Locate,
): { nodes: Node[]; end: string } {
  const nodes: Node[] = [];
  while (pos.i < actions.length) {
    const a = actions[pos.i++]!;
    if (a.kind === 'text') {
      nodes.push({ t: 'text', s: a.s });
      continue;
    }
    const s = a.s;
    if (s.startsWith('/*')) continue;
    const word = /^(\w+)/.exec(s)?.[1];
    if (word === 'end' || word === 'else') {
      if (!ends.includes(word)) throw fail(`unexpected {{${word}}}`);
      pos.i--;
      return { nodes, end: s };
    }
    if (word === 'if' || word === 'with' || word === 'range') {
      nodes.push(parseBlock(word, s.slice(word.length), a.pos + word.length, actions, pos, locate));
      continue;
    }
    nodes.push({ t: 'action', pipe: parsePipe(tokenize(s, a.pos), locate) });
  }
  if (ends.length) throw fail('unexpected EOF');
  return { nodes, end: '' };
}

/** A block after its opening action; consumes up to and including its {{end}}. */
function parseBlock(
  word: 'if' | 'with' | 'range',
  rest: string,
  restPos: number,
  actions: Action[],
  pos: { i: number },
  locate: Locate,
): Node {
  const pipe = parsePipe(tokenize(rest, restPos), locate);
  const body = parseNodes(actions, pos, ['end', 'else'], locate);
  let elseNodes: Node[] = [];
  const closingAction = actions[pos.i++]!;
  const closing = closingAction.s;
  if (closing.startsWith('else')) {
    const tail = closing.slice(4).trim();
    if (tail.startsWith('if') && word === 'if') {
      // {{else if x}} is an if nested in the else branch that shares our {{end}}
      const ifAt = closingAction.pos + closing.indexOf('if', 4) + 2;
      elseNodes = [parseBlock('if', tail.slice(2), ifAt, actions, pos, locate)];
    } else {
      elseNodes = parseNodes(actions, pos, ['end'], locate).nodes;
      if (actions[pos.i++]?.s !== 'end') throw fail(`unexpected EOF in ${word}`);
    }
  } else if (closing !== 'end') {
    throw fail(`unexpected EOF in ${word}`);
  }
  if (word === 'range') return { t: 'range', pipe, vars: pipe.decl, body: body.nodes, else: elseNodes };
  return { t: word, pipe, then: body.nodes, else: elseNodes };
}
