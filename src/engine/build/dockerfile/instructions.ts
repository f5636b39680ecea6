/**
 * One logical Dockerfile line as a typed instruction, with BuildKit's rules
 * for each: its flags, JSON or shell form, ENV/LABEL pairs (and the legacy
 * `ENV key value` form), ARG defaults, HEALTHCHECK options, ONBUILD
 * triggers. Values stay unexpanded. Pure.
 */
import { invalidArg } from '../../errors.js';
import { jsonArray, parseFlags, rawWords, type FlagSpec } from './flags.js';
import type { Heredoc, LogicalLine } from './lines.js';
import type { CommandForm, Instruction, Loc, RawPair } from './types.js';

const FLAGS: Record<string, FlagSpec> = {
  FROM: { values: { platform: 'once' } },
  RUN: { values: { mount: 'many', network: 'once', security: 'once' } },
  COPY: { values: { from: 'once', chown: 'once', chmod: 'once', exclude: 'many' }, bools: ['link', 'parents'] },
  ADD: { values: { chown: 'once', chmod: 'once', checksum: 'once', exclude: 'many' }, bools: ['link', 'keep-git-dir'] },
  HEALTHCHECK: {
    values: { interval: 'once', timeout: 'once', 'start-period': 'once', 'start-interval': 'once', retries: 'once' },
  },
};

export const INSTRUCTIONS = new Set([
  'FROM',
  'RUN',
  'CMD',
  'ENTRYPOINT',
  'SHELL',
  'COPY',
  'ADD',
  'ENV',
  'LABEL',
  'ARG',
  'EXPOSE',
  'VOLUME',
  'USER',
  'WORKDIR',
  'STOPSIGNAL',
  'MAINTAINER',
  'HEALTHCHECK',
  'ONBUILD',
]);

function command(args: string, name: string): CommandForm {
  const json = jsonArray(args);
  if (json) return { form: 'exec', args: json };
  if (!args.trim()) throw invalidArg(`${name} requires at least one argument`);
  return { form: 'shell', text: args };
}

/** ENV and LABEL: `k=v k2="v 2"` pairs, or the legacy `ENV key value with spaces`. */
function pairs(args: string, name: string, escape: string): RawPair[] {
  const words = rawWords(args, escape);
  if (!words.length) throw invalidArg(`${name} requires at least one argument`);
  if (!words[0]!.word.includes('=')) {
    if (name === 'LABEL' && words.length < 2) throw invalidArg('LABEL requires at least one argument');
    const key = words[0]!.word;
    const rest = args.slice(words[0]!.end).trim();
    if (!rest) throw invalidArg(`${name} must have two arguments`);
    return [[key, rest]];
  }
  return words.map(({ word }) => {
    const eq = word.indexOf('=');
    if (eq < 0) throw invalidArg(`Syntax error - can't find = in "${word}". Must be of the form: name=value`);
    if (eq === 0) throw invalidArg(`${name} names can not be blank`);
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
}

function stringList(args: string, name: string, escape: string): string[] {
  const json = jsonArray(args);
  const list = json ?? rawWords(args, escape).map((w) => w.word);
  if (!list.length) throw invalidArg(`${name} requires at least one argument`);
  return list;
}

function single(args: string, name: string): string {
  const v = args.trim();
  if (!v) throw invalidArg(`${name} requires exactly one argument`);
  return v;
}

/** The instruction on one logical line (its heredocs attached where the instruction takes them). */
export function parseInstruction(line: LogicalLine, escape: string, inOnbuild = false): Instruction {
  const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(line.text);
  const word = m?.[1] ?? '';
  const upper = word.toUpperCase();
  const args = m?.[2] ?? '';
  const loc: Loc = { start: line.start, end: line.end, original: line.text };
  if (!INSTRUCTIONS.has(upper)) throw invalidArg(`unknown instruction: ${word}`);
  const spec = FLAGS[upper] ?? {};
  const f = parseFlags(args, spec, escape);
  const rest = f.rest;
  const one = (k: string) => f.values.get(k)?.[0];
  const heredocs: Heredoc[] = line.heredocs;

  switch (upper) {
    case 'FROM': {
      const words = rawWords(rest, escape).map((w) => w.word);
      if (words.length !== 1 && !(words.length === 3 && words[1]!.toUpperCase() === 'AS'))
        throw invalidArg('FROM requires either one or three arguments');
      const alias = words[2];
      if (alias !== undefined && !/^[a-zA-Z][a-zA-Z0-9-_.]*$/.test(alias))
        throw invalidArg(`invalid name for build stage: "${alias}", name can't start with a number or contain symbols`);
      return {
        kind: 'FROM',
        image: words[0]!,
        ...(alias ? { alias: alias.toLowerCase() } : {}),
        ...(one('platform') ? { platform: one('platform')! } : {}),
        loc,
      };
    }
    case 'RUN': {
      const cmd = heredocs.length && !jsonArray(rest) ? { form: 'shell' as const, text: rest } : command(rest, 'RUN');
      return {
        kind: 'RUN',
        cmd,
        mounts: f.values.get('mount') ?? [],
        ...(one('network') ? { network: one('network')! } : {}),
        ...(one('security') ? { security: one('security')! } : {}),
        heredocs,
        loc,
      };
    }
    case 'CMD':
    case 'ENTRYPOINT':
      return { kind: upper, cmd: command(rest, upper), loc };
    case 'SHELL': {
      const json = jsonArray(rest);
      if (!json) throw invalidArg('SHELL requires the arguments to be in JSON form');
      if (!json.length) throw invalidArg('SHELL requires at least one argument');
      return { kind: 'SHELL', shell: json, loc };
    }
    case 'COPY':
    case 'ADD': {
      const json = jsonArray(rest);
      const list = json ?? rawWords(rest, escape).map((w) => w.word);
      if (list.length < 2 && !(heredocs.length && list.length >= 1))
        throw invalidArg(
          `${upper} requires at least two arguments, but only one was provided. Destination could not be determined.`,
        );
      const dest = list[list.length - 1]!;
      return {
        kind: upper,
        sources: list.slice(0, -1),
        dest,
        json: !!json,
        heredocs,
        ...(one('from') ? { from: one('from')! } : {}),
        ...(one('chown') ? { chown: one('chown')! } : {}),
        ...(one('chmod') ? { chmod: one('chmod')! } : {}),
        link: f.bools.has('link'),
        parents: f.bools.has('parents'),
        exclude: f.values.get('exclude') ?? [],
        ...(one('checksum') ? { checksum: one('checksum')! } : {}),
        ...(upper === 'ADD' ? { keepGitDir: f.bools.has('keep-git-dir') } : {}),
        loc,
      };
    }
    case 'ENV':
    case 'LABEL':
      return { kind: upper, pairs: pairs(rest, upper, escape), loc };
    case 'ARG': {
      const words = rawWords(rest, escape).map((w) => w.word);
      if (!words.length) throw invalidArg('ARG requires at least one argument');
      const list = words.map((w) => {
        const eq = w.indexOf('=');
        const name = eq < 0 ? w : w.slice(0, eq);
        if (!name) throw invalidArg('ARG names can not be blank');
        return eq < 0 ? { name } : { name, value: w.slice(eq + 1) };
      });
      return { kind: 'ARG', args: list, loc };
    }
    case 'EXPOSE':
    case 'VOLUME':
      return { kind: upper, values: stringList(rest, upper, escape), loc };
    case 'USER':
    case 'WORKDIR':
    case 'STOPSIGNAL':
    case 'MAINTAINER':
      return { kind: upper, value: single(rest, upper), loc };
    case 'HEALTHCHECK': {
      const kw = /^(\S+)\s*([\s\S]*)$/.exec(rest);
      const type = kw?.[1]?.toUpperCase();
      const opts = {
        ...(one('interval') ? { interval: one('interval')! } : {}),
        ...(one('timeout') ? { timeout: one('timeout')! } : {}),
        ...(one('start-period') ? { startPeriod: one('start-period')! } : {}),
        ...(one('start-interval') ? { startInterval: one('start-interval')! } : {}),
        ...(one('retries') ? { retries: one('retries')! } : {}),
      };
      if (type === 'NONE') {
        if (kw![2] || Object.keys(opts).length) throw invalidArg('HEALTHCHECK NONE takes no arguments');
        return { kind: 'HEALTHCHECK', cmd: null, loc };
      }
      if (type !== 'CMD') throw invalidArg(`Unknown type "${kw?.[1] ?? ''}" in HEALTHCHECK (try CMD)`);
      return { kind: 'HEALTHCHECK', cmd: command(kw![2] ?? '', 'HEALTHCHECK CMD'), ...opts, loc };
    }
    case 'ONBUILD': {
      if (inOnbuild) throw invalidArg("ONBUILD ONBUILD isn't allowed");
      const trigger = rest.trim();
      if (!trigger) throw invalidArg('ONBUILD requires at least one argument');
      const t = /^(\S+)/.exec(trigger)![1]!.toUpperCase();
      if (t === 'ONBUILD') throw invalidArg("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (t === 'FROM' || t === 'MAINTAINER') throw invalidArg(`${t} isn't allowed as an ONBUILD trigger`);
      const parsed = parseInstruction({ ...line, text: trigger, heredocs: [] }, escape, true);
      return { kind: 'ONBUILD', trigger, parsed, loc };
    }
  }
  throw invalidArg(`unknown instruction: ${word}`);
}
