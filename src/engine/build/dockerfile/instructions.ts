/**
 * One logical line as a typed instruction, with BuildKit's rules: the
 * arguments split as its parser splits each command (JSON or shell form,
 * whitespace lists, key=value words with quotes kept), then its
 * instructions package's checks and messages (flags per instruction,
 * argument counts, HEALTHCHECK durations, ONBUILD triggers, EXPOSE sorted).
 * Values stay unexpanded. Pure.
 */
import { invalidArg } from '../../errors.js';
import { parseGoDuration } from '../../util/time.js';
import { FlagSet, parseJsonArray, parseWords, splitCommand, WHITESPACE } from './flags.js';
import { chompHeredoc, parseHeredocWord, type Heredoc, type LogicalLine } from './lines.js';
import type { CopyInstruction, InlineFile, Instruction, Loc, RawPair } from './types.js';

export const INSTRUCTIONS = [
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
];

/** The parser's node: the command, its flag words, its arguments as the command's parser split them. */
interface Node {
  cmd: string;
  flags: string[];
  args: string[];
  json: boolean;
  /** ONBUILD's trigger, parsed the same way. */
  sub?: Node;
  rest: string;
}

const whitespaceList = (rest: string) => (rest ? rest.split(WHITESPACE) : []);

function maybeJson(rest: string): { args: string[]; json: boolean } {
  if (!rest) return { args: [], json: false };
  const j = parseJsonArray(rest);
  return j ? { args: j, json: true } : { args: [rest], json: false };
}

function nameVal(rest: string, key: string, escape: string): string[] {
  const words = parseWords(rest, escape);
  if (!words.length) return [];
  if (!words[0]!.includes('=')) {
    const m = /^(\S+?)[\t\v\f\r ]+([\s\S]*)$/.exec(rest);
    if (!m) throw invalidArg(`${key} must have two arguments`);
    return [m[1]!, m[2]!, ''];
  }
  return words.flatMap((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) throw invalidArg(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    return [w.slice(0, eq), w.slice(eq + 1), '='];
  });
}

function parseNode(line: string, escape: string): Node {
  const { cmd, flags, args: rest } = splitCommand(line, escape);
  const node = (args: string[], json = false): Node => ({ cmd, flags, args, json, rest });
  switch (cmd.toLowerCase()) {
    case 'add':
    case 'copy':
    case 'volume': {
      const j = parseJsonArray(rest);
      return j ? node(j, true) : node(whitespaceList(rest));
    }
    case 'cmd':
    case 'entrypoint':
    case 'run':
    case 'shell': {
      const m = maybeJson(rest);
      return node(m.args, m.json);
    }
    case 'arg':
      return node(parseWords(rest, escape));
    case 'env':
      return node(nameVal(rest, 'ENV', escape));
    case 'label':
      return node(nameVal(rest, 'LABEL', escape));
    case 'expose':
    case 'from':
      return node(whitespaceList(rest));
    case 'healthcheck': {
      const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
      if (!m) return node([]);
      const c = maybeJson(m[2]!);
      return node([m[1]!, ...c.args], c.json);
    }
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      return node(rest ? [rest] : []);
    case 'onbuild':
      return rest ? { ...node([]), sub: parseNode(rest, escape) } : node([]);
    default:
      return node([]);
  }
}

function kvps(args: string[], name: string): RawPair[] {
  if (!args.length) throw invalidArg(`${name} requires at least one argument`);
  if (args.length % 3 !== 0) throw invalidArg(`Bad input to ${name}, too many arguments`);
  const out: RawPair[] = [];
  for (let j = 0; j < args.length; j += 3) {
    if (!args[j]) throw invalidArg(`${name} names can not be blank`);
    out.push({ key: args[j]!, value: args[j + 1]!, noDelim: args[j + 2] === '' });
  }
  return out;
}

/** handleJSONArgs: exec form as is, shell form as one string. */
const cmdLine = (n: Node) => (n.json ? n.args : n.args.length ? [n.args.join(' ')] : []);

function interval(f: FlagSet, name: string): number {
  const s = f.get(name);
  if (!s) return 0;
  const d = parseGoDuration(s);
  if (d !== 0 && d < 1e6) throw invalidArg(`Interval "${name}" cannot be less than 1ms`);
  return d;
}

function sourcesAndDest(
  n: Node,
  heredocs: Heredoc[],
  name: string,
): Pick<CopyInstruction, 'sources' | 'contents' | 'dest'> {
  const dest = n.args[n.args.length - 1]!;
  if (parseHeredocWord(dest)) throw invalidArg(`${name} cannot accept a heredoc as a destination`);
  const byName = new Map(heredocs.map((h) => [h.name, h]));
  const sources: string[] = [];
  const contents: InlineFile[] = [];
  for (const src of n.args.slice(0, -1)) {
    const h = parseHeredocWord(src);
    if (!h) {
      sources.push(src);
      continue;
    }
    const body = byName.get(h.name)?.content ?? '';
    contents.push({ name: h.name, data: h.chomp ? chompHeredoc(body) : body, chomp: h.chomp, expand: h.expand });
  }
  return { sources, contents, dest };
}

function toInstruction(n: Node, loc: Loc, heredocs: Heredoc[]): Instruction {
  const f = new FlagSet(n.flags);
  const upper = n.cmd.toUpperCase();
  const exactlyOne = () => {
    if (n.args.length !== 1) throw invalidArg(`${upper} requires exactly one argument`);
    return n.args[0]!;
  };
  switch (upper) {
    case 'ENV':
    case 'LABEL':
      f.parse();
      return { kind: upper, pairs: kvps(n.args, upper), loc };
    case 'MAINTAINER':
    case 'WORKDIR':
    case 'USER': {
      const value = exactlyOne();
      f.parse();
      return { kind: upper, value, loc };
    }
    case 'STOPSIGNAL':
      return { kind: upper, value: exactlyOne(), loc };
    case 'ADD':
    case 'COPY': {
      if (n.args.length < 2)
        throw invalidArg(
          `${upper} requires at least two arguments, but only one was provided. Destination could not be determined`,
        );
      f.string('chown').string('chmod').bool('link').strings('exclude');
      if (upper === 'ADD') f.bool('keep-git-dir').string('checksum').bool('unpack');
      else f.string('from').bool('parents');
      f.parse();
      const opt = (k: string) => (f.get(k) ? { [k]: f.get(k) } : {});
      return {
        kind: upper,
        ...sourcesAndDest(n, heredocs, upper),
        ...opt('from'),
        ...opt('chown'),
        ...opt('chmod'),
        ...opt('checksum'),
        link: f.isTrue('link'),
        parents: f.isTrue('parents'),
        exclude: f.all('exclude'),
        ...(upper === 'ADD' ? { keepGitDir: f.isTrue('keep-git-dir') } : {}),
        loc,
      };
    }
    case 'FROM': {
      let alias: string | undefined;
      if (n.args.length === 3 && n.args[1]!.toLowerCase() === 'as') {
        alias = n.args[2]!.toLowerCase();
        if (!/^[a-z][a-z0-9-_.]*$/.test(alias))
          throw invalidArg(
            `invalid name for build stage: "${n.args[2]}", name can't start with a number or contain symbols`,
          );
      } else if (n.args.length !== 1) throw invalidArg('FROM requires either one or three arguments');
      f.string('platform').parse();
      return {
        kind: 'FROM',
        image: n.args[0]!,
        ...(alias ? { alias } : {}),
        ...(f.get('platform') ? { platform: f.get('platform') } : {}),
        loc,
      };
    }
    case 'ONBUILD': {
      if (!n.sub) throw invalidArg('ONBUILD requires at least one argument');
      f.parse();
      const t = n.sub.cmd.toUpperCase();
      if (t === 'ONBUILD') throw invalidArg("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (t === 'MAINTAINER' || t === 'FROM') throw invalidArg(`${t} isn't allowed as an ONBUILD trigger`);
      let expression = loc.original.replace(/^\s*ONBUILD\s*/i, '');
      for (const h of heredocs) expression += `\n${h.content}${h.name}`;
      return { kind: 'ONBUILD', expression, loc };
    }
    case 'RUN': {
      f.strings('mount').string('network').string('security').parse();
      const network = f.get('network');
      if (network && !['default', 'none', 'host'].includes(network))
        throw invalidArg(`invalid network mode ${JSON.stringify(network)}`);
      const security = f.get('security');
      if (security && !['sandbox', 'insecure'].includes(security))
        throw invalidArg(`security ${JSON.stringify(security)} is not valid`);
      return {
        kind: 'RUN',
        cmdLine: cmdLine(n),
        prependShell: !n.json,
        files: heredocs.map((h) => ({ name: h.name, data: h.content, chomp: h.chomp, expand: h.expand })),
        mounts: f.all('mount'),
        ...(f.get('network') ? { network: f.get('network') } : {}),
        ...(f.get('security') ? { security: f.get('security') } : {}),
        loc,
      };
    }
    case 'CMD':
    case 'ENTRYPOINT':
      f.parse();
      return { kind: upper, cmdLine: cmdLine(n), prependShell: !n.json, loc };
    case 'HEALTHCHECK': {
      if (!n.args.length) throw invalidArg('HEALTHCHECK requires at least one argument');
      const typ = n.args[0]!.toUpperCase();
      const rest = n.args.slice(1);
      const base = { kind: 'HEALTHCHECK' as const, interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, loc };
      if (typ === 'NONE') {
        if (rest.length) throw invalidArg('HEALTHCHECK NONE takes no arguments');
        return { ...base, test: ['NONE'], retries: 0 };
      }
      f.string('interval').string('timeout').string('start-period').string('start-interval').string('retries').parse();
      if (typ !== 'CMD') throw invalidArg(`Unknown type "${typ}" in HEALTHCHECK (try CMD)`);
      const cmd = n.json ? rest : rest.length ? [rest.join(' ')] : [];
      if (!cmd.length) throw invalidArg('Missing command after HEALTHCHECK CMD');
      const retries = f.get('retries');
      if (retries && !/^[-+]?\d+$/.test(retries))
        throw invalidArg(`strconv.ParseInt: parsing "${retries}": invalid syntax`);
      if (retries && Number(retries) < 0) throw invalidArg(`--retries cannot be negative (${Number(retries)})`);
      return {
        ...base,
        test: [n.json ? 'CMD' : 'CMD-SHELL', ...cmd],
        interval: interval(f, 'interval'),
        timeout: interval(f, 'timeout'),
        startPeriod: interval(f, 'start-period'),
        startInterval: interval(f, 'start-interval'),
        retries: retries ? Number(retries) : 0,
      };
    }
    case 'EXPOSE':
      if (!n.args.length) throw invalidArg('EXPOSE requires at least one argument');
      f.parse();
      return { kind: 'EXPOSE', ports: [...n.args].sort(), loc };
    case 'VOLUME': {
      if (!n.args.length) throw invalidArg('VOLUME requires at least one argument');
      f.parse();
      const volumes = n.args.map((v) => v.trim());
      if (volumes.some((v) => !v)) throw invalidArg('VOLUME specified can not be an empty string');
      return { kind: 'VOLUME', volumes, loc };
    }
    case 'ARG': {
      if (!n.args.length) throw invalidArg('ARG requires at least one argument');
      const args = n.args.map((w) => {
        const eq = w.indexOf('=');
        if (eq === 0) throw invalidArg('ARG names can not be blank');
        return eq < 0 ? { name: w } : { name: w.slice(0, eq), value: w.slice(eq + 1) };
      });
      return { kind: 'ARG', args, loc };
    }
    case 'SHELL': {
      f.parse();
      const shell = cmdLine(n);
      if (!shell.length) throw invalidArg('SHELL requires at least one argument');
      if (!n.json) throw invalidArg(`SHELL requires the arguments to be in JSON form`);
      return { kind: 'SHELL', shell, loc };
    }
  }
  throw invalidArg(`unknown instruction: ${n.cmd}`);
}

/** The instruction on one logical line, with its heredocs. */
export function parseInstruction(line: LogicalLine, escape: string): Instruction {
  const loc: Loc = { start: line.start, end: line.end, original: line.text };
  return toInstruction(parseNode(line.text, escape), loc, line.heredocs);
}
