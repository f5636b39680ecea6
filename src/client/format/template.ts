/**
 * The part of Go's text/template that docker's --format and -f use: field
 * paths, pipelines, if/else/range/with/end, variables, literals, and docker's
 * template functions (json, join, split, lower, upper, title, truncate, pad,
 * println) plus Go's builtins (index, len, printf, print, eq, ne, lt, le, gt,
 * ge, not, and, or). Values print as Go prints them ([a b], map[k:v]);
 * values marked with go-value.ts print and fail as docker's typed structs
 * do. Execution errors name the line, column and node, as Go's do.
 */
import { GoNil, GoTime, goMarshal, structInfo } from './go-value.js';
import {
  at,
  EvalError,
  execFail,
  fail,
  parseNodes,
  split,
  type Arg,
  type Locate,
  type Node,
  type Pipe,
} from './template-parse.js';

// ---- evaluating ----

export function goString(v: unknown, top = true): string {
  if (v === undefined) return '<no value>';
  if (v === null) return top ? '<no value>' : '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof GoNil) return v.shown;
  if (v instanceof GoTime) return v.toString();
  if (Array.isArray(v)) return `[${v.map((x) => goString(x, false)).join(' ')}]`;
  if (v instanceof Map) return goString(Object.fromEntries(v), top);
  const print = structInfo(v)?.print;
  if (print)
    return `${print === 'pointer' ? '&' : ''}{${Object.values(v as object)
      .map((x) => goString(x, false))
      .join(' ')}}`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `map[${keys.map((k) => `${k}:${goString((v as Record<string, unknown>)[k], false)}`).join(' ')}]`;
  }
  return String(v);
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (v instanceof GoNil) return false;
  if (v instanceof GoTime || structInfo(v)) return true; // Go structs are always true
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

const GO_KIND: Record<string, string> = { string: 'string', number: 'float64', boolean: 'bool' };

/** Follow a field path; a missing field of a struct or of a nil value fails as Go's does. */
function field(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const p of path) {
    if (cur instanceof GoNil) {
      throw new EvalError(
        cur.absentKey ? `map has no entry for key "${cur.absentKey}"` : `nil pointer evaluating interface {}.${p}`,
      );
    }
    if (cur === null || cur === undefined) throw new EvalError(`nil pointer evaluating interface {}.${p}`);
    if (typeof cur !== 'object')
      throw new EvalError(`can't evaluate field ${p} in type ${GO_KIND[typeof cur] ?? typeof cur}`);
    const info = structInfo(cur);
    if (info && !Object.prototype.hasOwnProperty.call(cur, p)) {
      throw new EvalError(
        info.type ? `can't evaluate field ${p} in type ${info.type}` : `map has no entry for key "${p}"`,
      );
    }
    const next = (cur as Record<string, unknown>)[p];
    // a method without arguments is called, as Go calls one named in a chain
    if (typeof next === 'function') {
      if (next.length > 0) throw new EvalError(`wrong number of args for ${p}: want ${next.length} got 0`);
      cur = (next as () => unknown).call(cur);
    } else cur = next;
  }
  return cur;
}

/** Go's index: out of range is an error; a missing map key gives the element's zero value. */
function index(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (cur instanceof GoNil) {
      cur = cur.zero;
    } else if (Array.isArray(cur) || typeof cur === 'string') {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length)
        throw new EvalError(`error calling index: index out of range: ${String(k)}`);
      cur = typeof cur === 'string' ? cur.charCodeAt(i) : cur[i];
    } else if (cur !== null && typeof cur === 'object') {
      const o = cur as Record<string, unknown>;
      const key = String(k);
      // a map of strings (labels, options) gives "" for a missing key
      cur = Object.prototype.hasOwnProperty.call(o, key)
        ? o[key]
        : Object.values(o).every((x) => typeof x === 'string')
          ? ''
          : undefined;
    } else {
      throw new EvalError(
        `error calling index: can't index item of type ${cur === null || cur === undefined ? 'nil' : typeof cur}`,
      );
    }
  }
  return cur;
}

/** The `json` function: a value's own JSON when it has one (typed structs, formatter contexts), at any depth. */
function toJson(v: unknown): string {
  return goMarshal(v);
}

function sprintf(fmt: string, args: unknown[]): string {
  let i = 0;
  return fmt.replace(
    /%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdvqfxt%])/g,
    (_m, flags: string, width: string, prec: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      const a = args[i++];
      let s: string;
      switch (verb) {
        case 'd':
          s = String(Math.trunc(Number(a)));
          break;
        case 'f':
          s = Number(a).toFixed(prec ? Number(prec) : 6);
          break;
        case 'q':
          s = JSON.stringify(goString(a));
          break;
        case 'x':
          s = typeof a === 'number' ? a.toString(16) : Buffer.from(String(a)).toString('hex');
          break;
        default:
          s = goString(a);
          if (prec && verb === 's') s = s.slice(0, Number(prec));
      }
      const w = Number(width || 0);
      if (s.length < w) s = flags.includes('-') ? s.padEnd(w) : s.padStart(w, flags.includes('0') ? '0' : ' ');
      return s;
    },
  );
}

function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

const FUNCS: Record<string, (...a: unknown[]) => unknown> = {
  json: (v) => toJson(v),
  join: (list, sep) => (Array.isArray(list) ? list.map((x) => goString(x, false)).join(String(sep)) : goString(list)),
  split: (s, sep) => String(s).split(String(sep)),
  lower: (s) => goString(s).toLowerCase(),
  upper: (s) => goString(s).toUpperCase(),
  title: (s) => goString(s).replace(/(^|[\s_-])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase()),
  truncate: (s, n) => [...goString(s)].slice(0, Number(n)).join(''),
  pad: (s, a, b) => ' '.repeat(Number(a)) + goString(s) + ' '.repeat(Number(b)),
  len: (v) =>
    v instanceof GoNil
      ? 0
      : Array.isArray(v) || typeof v === 'string'
        ? v.length
        : v && typeof v === 'object'
          ? Object.keys(v).length
          : 0,
  index,
  print: (...a) => a.map((x) => goString(x)).join(''),
  println: (...a) => a.map((x) => goString(x)).join(' ') + '\n',
  printf: (f, ...a) => sprintf(String(f), a),
  eq: (a, ...bs) =>
    bs.some(
      (b) =>
        a === b ||
        (a !== null && b !== null && typeof a !== 'object' && String(a) === String(b) && typeof a === typeof b),
    ),
  ne: (a, b) => a !== b,
  lt: (a, b) => cmp(a, b) < 0,
  le: (a, b) => cmp(a, b) <= 0,
  gt: (a, b) => cmp(a, b) > 0,
  ge: (a, b) => cmp(a, b) >= 0,
  not: (a) => !truthy(a),
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
};

type Scope = { dot: unknown; vars: Map<string, unknown> };

function baseOf(a: Extract<Arg, { k: 'field' }>, s: Scope): unknown {
  if (a.base === 'dot') return s.dot;
  if (s.vars.has(a.base)) return s.vars.get(a.base);
  throw execFail(`undefined variable: ${a.base}`);
}

/** `.Label "key"`: a field that is a method, called with the command's arguments (docker's row methods). */
function callMethod(a: Extract<Arg, { k: 'field' }>, s: Scope, args: unknown[]): unknown {
  const name = a.path[a.path.length - 1];
  try {
    const owner = field(baseOf(a, s), a.path.slice(0, -1));
    const fn =
      name !== undefined && owner !== null && typeof owner === 'object'
        ? (owner as Record<string, unknown>)[name]
        : undefined;
    if (typeof fn !== 'function') throw new EvalError(`${name ?? '.'} has arguments but cannot be invoked as function`);
    if (fn.length !== args.length)
      throw new EvalError(`wrong number of args for ${name}: want ${fn.length} got ${args.length}`);
    return (fn as (...x: unknown[]) => unknown).apply(owner, args);
  } catch (e) {
    if (e instanceof EvalError) throw at(a.loc, a.text, e.message);
    throw e;
  }
}

function evalArg(a: Arg, s: Scope, final?: unknown, hasFinal = false): unknown {
  switch (a.k) {
    case 'lit':
      return a.v;
    case 'field': {
      const base = baseOf(a, s);
      try {
        return field(base, a.path);
      } catch (e) {
        if (e instanceof EvalError) throw at(a.loc, a.text, e.message);
        throw e;
      }
    }
    case 'pipe':
      return field(evalPipe(a.pipe, s), a.path);
    case 'ident': {
      const f = FUNCS[a.name];
      if (!f) throw fail(`function "${a.name}" not defined`);
      return hasFinal ? f(final) : f();
    }
  }
}

function evalPipe(p: Pipe, s: Scope): unknown {
  let val: unknown;
  let has = false;
  for (const [n, cmd] of p.cmds.entries()) {
    const head = cmd[0]!;
    if (head.k === 'ident') {
      const f = FUNCS[head.name];
      if (!f) throw fail(`function "${head.name}" not defined`);
      const args = cmd.slice(1).map((a) => evalArg(a, s));
      if (has) args.push(val);
      try {
        val = f(...args);
      } catch (e) {
        if (e instanceof EvalError) throw at(p.at[n]!.loc, p.at[n]!.text, e.message);
        throw e;
      }
    } else if (head.k === 'field' && (cmd.length > 1 || has)) {
      const args = cmd.slice(1).map((a) => evalArg(a, s));
      if (has) args.push(val);
      val = callMethod(head, s, args);
    } else {
      if (cmd.length > 1) throw execFail(`can't give argument to non-function ${JSON.stringify(head)}`);
      val = evalArg(head, s);
    }
    has = true;
  }
  for (const d of p.decl) s.vars.set(d, val);
  return val;
}

function run(nodes: Node[], s: Scope, out: string[]): void {
  for (const n of nodes) {
    switch (n.t) {
      case 'text':
        out.push(n.s);
        break;
      case 'action': {
        const v = evalPipe(n.pipe, s);
        if (!n.pipe.decl.length) out.push(goString(v));
        break;
      }
      case 'if':
      case 'with': {
        const v = evalPipe({ ...n.pipe, decl: [] }, s);
        if (truthy(v)) run(n.then, n.t === 'with' ? { dot: v, vars: s.vars } : s, out);
        else run(n.else, s, out);
        break;
      }
      case 'range': {
        const v = evalPipe({ ...n.pipe, decl: [] }, s);
        const entries: [unknown, unknown][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v && typeof v === 'object' && !(v instanceof GoNil) && !(v instanceof GoTime)
            ? Object.keys(v)
                .sort()
                .map((k) => [k, (v as Record<string, unknown>)[k]])
            : [];
        if (!entries.length) run(n.else, s, out);
        for (const [k, x] of entries) {
          const vars = new Map(s.vars);
          if (n.vars.length === 1) vars.set(n.vars[0]!, x);
          if (n.vars.length === 2) {
            vars.set(n.vars[0]!, k);
            vars.set(n.vars[1]!, x);
          }
          run(n.body, { dot: x, vars }, out);
        }
        break;
      }
    }
  }
}

/** Compile a template; the function renders it for one value. */
export function compileTemplate(src: string): (data: unknown) => string {
  const text = src.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const locate: Locate = (pos) => {
    const before = text.slice(0, pos);
    return `${before.split('\n').length}:${pos - (before.lastIndexOf('\n') + 1)}`;
  };
  const nodes = parseNodes(split(text), { i: 0 }, [], locate).nodes;
  return (data) => {
    const out: string[] = [];
    run(nodes, { dot: data, vars: new Map([['$', data]]) }, out);
    return out.join('');
  };
}

export interface ParsedFormat {
  kind: 'table' | 'json' | 'template';
  template?: string;
  headers?: string[];
}

/** docker's format forms: "table", "json", "table <tmpl>", or a template. */
export function parseFormat(format: string, headerNames: Record<string, string>): ParsedFormat {
  if (format === 'json') return { kind: 'json' };
  if (format === 'table') return { kind: 'table' };
  if (format.startsWith('table ')) {
    const template = format.slice(6);
    const cells = template.replace(/\\t/g, '\t').split('\t');
    const headers = cells.map((cell) => {
      const names = [...cell.matchAll(/\{\{-?\s*(?:\w+\s+)?\.(\w+)[^}]*\}\}/g)].map(
        (m) => headerNames[m[1]!] ?? m[1]!.toUpperCase(),
      );
      return names.length ? names.join(' ') : cell.trim().toUpperCase();
    });
    return { kind: 'table', template, headers };
  }
  return { kind: 'template', template: format };
}
