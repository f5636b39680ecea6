/**
 * docker's `--change`/`-c` for commit and import: Dockerfile instructions
 * applied to an image config (moby's BuildFromConfig), limited to CMD,
 * ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR.
 */
import { posix } from 'node:path';
import { invalidArg } from '../errors.js';
import { parseSignal } from '../container/signals.js';
import type { ContainerConfigLike } from './types.js';
import { volumeKeyError } from './config-check.js';

export type { ContainerConfigLike } from './types.js';

const VALID = new Set([
  'cmd',
  'entrypoint',
  'env',
  'expose',
  'label',
  'onbuild',
  'stopsignal',
  'user',
  'volume',
  'workdir',
]);

/** Split shell-like words: quotes group, backslash escapes, $VAR / ${VAR} expand from env. */
export function shellWords(s: string, env: Record<string, string> = {}, expand = true): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  const variable = (): string => {
    // at s[i] === '$'
    if (s[i + 1] === '{') {
      const end = s.indexOf('}', i + 2);
      if (end < 0) throw invalidArg(`missing '}' in "${s}"`);
      const inner = s.slice(i + 2, end);
      i = end + 1;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::([-+])(.*))?$/.exec(inner);
      if (!m) throw invalidArg(`bad substitution in "${s}"`);
      const v = env[m[1]!];
      if (m[2] === '-') return v ? v : (m[3] ?? '');
      if (m[2] === '+') return v ? (m[3] ?? '') : '';
      return v ?? '';
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1));
    if (!m) {
      i++;
      return '$';
    }
    i += 1 + m[0].length;
    return env[m[0]] ?? '';
  };
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else if (c === '\\') {
      inWord = true;
      cur += s[i + 1] ?? '';
      i += 2;
    } else if (c === "'") {
      inWord = true;
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw invalidArg(`unexpected end of statement while looking for matching single-quote in "${s}"`);
      cur += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\' || s[i + 1] === '$')) {
          cur += s[i + 1];
          i += 2;
        } else if (s[i] === '$' && expand) cur += variable();
        else cur += s[i++];
      }
      if (s[i] !== '"')
        throw invalidArg(`unexpected end of statement while looking for matching double-quote in "${s}"`);
      i++;
    } else if (c === '$' && expand) {
      inWord = true;
      cur += variable();
    } else {
      inWord = true;
      cur += c;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

function envMap(env: string[] | null | undefined): Record<string, string> {
  const m: Record<string, string> = {};
  for (const e of env ?? []) {
    const eq = e.indexOf('=');
    if (eq > 0) m[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return m;
}

/** Exec form (a JSON array of strings) or shell form. */
function commandForm(rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      const v = JSON.parse(t);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    } catch {
      /* shell form */
    }
  }
  return t ? ['/bin/sh', '-c', t] : ['/bin/sh', '-c'];
}

/** KEY=VALUE pairs, or the legacy "KEY VALUE..." form. */
function nameValues(rest: string, what: string, env: Record<string, string>): [string, string][] {
  const words = shellWords(rest, env);
  if (!words.length) throw invalidArg(`${what} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    // legacy form: the first word is the name, the rest of the line the value
    const raw = rest.trim();
    const sp = raw.search(/[ \t]/);
    if (sp < 0) throw invalidArg(`${what} must have two arguments`);
    const value = shellWords(raw.slice(sp).trim(), env).join(' ');
    return [[words[0]!, value]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) throw invalidArg(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    if (eq === 0) throw invalidArg(`${what} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)] as [string, string];
  });
}

function exposedPorts(rest: string, env: Record<string, string>): string[] {
  const out: string[] = [];
  const words = shellWords(rest, env);
  if (!words.length) throw invalidArg('EXPOSE requires at least one argument');
  for (const w of words) {
    const slash = w.lastIndexOf('/');
    const port = slash < 0 ? w : w.slice(0, slash);
    const proto = slash < 0 ? 'tcp' : w.slice(slash + 1).toLowerCase();
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw invalidArg(`Invalid proto: ${w.slice(slash + 1)}`);
    const m = /^(\d+)(?:-(\d+))?$/.exec(port);
    const a = Number(m?.[1]);
    const b = m?.[2] ? Number(m[2]) : a;
    if (!m || b < a || b > 65535) throw invalidArg(`Invalid containerPort: ${port}`);
    for (let p = a; p <= b; p++) out.push(`${p}/${proto}`);
  }
  return out;
}

/** Apply the change lines to a config; returns a new config object. */
export function applyChanges(config: ContainerConfigLike, changes: string[]): ContainerConfigLike {
  const c: ContainerConfigLike = structuredClone(config);
  let cmdSet = false;
  let instructions = 0;
  for (const raw of changes.flatMap((ch) => ch.split('\n'))) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    instructions++;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
    const word = m[1]!.toLowerCase();
    const rest = m[2]!;
    if (!VALID.has(word)) throw invalidArg(`${word} is not a valid change command`);
    const env = envMap(c.Env);
    switch (word) {
      case 'cmd':
        // an empty shell-form CMD is the bare shell, and does not count as setting CMD
        c.Cmd = commandForm(rest);
        if (rest.trim()) cmdSet = true;
        break;
      case 'entrypoint':
        // an empty ENTRYPOINT resets it
        c.Entrypoint = rest.trim() ? commandForm(rest) : null;
        if (!cmdSet) c.Cmd = null;
        break;
      case 'env': {
        const list = [...(c.Env ?? [])];
        for (const [k, v] of nameValues(rest, 'ENV', env)) {
          const i = list.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) list[i] = `${k}=${v}`;
          else list.push(`${k}=${v}`);
          env[k] = v;
        }
        c.Env = list;
        break;
      }
      case 'expose':
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        for (const p of exposedPorts(rest, env)) c.ExposedPorts[p] = {};
        break;
      case 'label':
        c.Labels = { ...(c.Labels ?? {}) };
        for (const [k, v] of nameValues(rest, 'LABEL', env)) c.Labels[k] = v;
        break;
      case 'onbuild': {
        const trigger = rest.trim();
        const t = /^(\S+)/.exec(trigger)?.[1]?.toUpperCase();
        if (!t) throw invalidArg('ONBUILD requires at least one argument');
        if (t === 'ONBUILD') throw invalidArg("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (t === 'FROM' || t === 'MAINTAINER') throw invalidArg(`${t} isn't allowed as an ONBUILD trigger`);
        c.OnBuild = [...(c.OnBuild ?? []), trigger];
        break;
      }
      case 'stopsignal': {
        const sig = shellWords(rest, env)[0];
        if (!sig) throw invalidArg('STOPSIGNAL requires exactly one argument');
        parseSignal(sig);
        c.StopSignal = sig;
        break;
      }
      case 'user': {
        // the rest of the line is the one argument (moby's parseString)
        const u = shellWords(rest, env).join(' ');
        if (!u) throw invalidArg('USER requires exactly one argument');
        c.User = u;
        break;
      }
      case 'volume': {
        const t = rest.trim();
        let vols: string[];
        if (t.startsWith('[')) {
          try {
            vols = JSON.parse(t);
          } catch {
            vols = shellWords(t, env);
          }
        } else vols = shellWords(t, env);
        if (!vols.length) throw invalidArg('VOLUME requires at least one argument');
        c.Volumes = { ...(c.Volumes ?? {}) };
        for (const v of vols) {
          // a key is a path inside the container, never a mount spec (config-check.ts)
          const why = volumeKeyError(String(v));
          if (why) throw invalidArg(why);
          c.Volumes[String(v)] = {};
        }
        break;
      }
      case 'workdir': {
        const w = shellWords(rest, env).join(' ');
        if (!w) throw invalidArg('WORKDIR requires exactly one argument');
        c.WorkingDir = posix.normalize(w.startsWith('/') ? w : posix.join(c.WorkingDir || '/', w));
        break;
      }
    }
  }
  if (changes.length && !instructions) throw invalidArg('file with no instructions');
  return c;
}
