/**
 * RUN, COPY, ADD and WORKDIR as steps, with BuildKit's rules: RUN's argv
 * (SHELL prepended, heredocs run as the script or handed to the shell),
 * mounts and network; COPY/ADD sources (context, stage, image, URL, git,
 * heredoc), the destination made absolute against WORKDIR (a trailing slash
 * kept), --chown/--chmod/--link; WORKDIR's mkdir; each with its progress
 * name and history entry. Pure.
 */
import { posix } from 'node:path';
import { BerthError, invalidArg } from '../../errors.js';
import { chompHeredoc, parseHeredocWord } from '../dockerfile/lines.js';
import { cleanPath } from '../../../common/dockerignore.js';
import { processWord } from '../dockerfile/shell-words.js';
import type { CopyInstruction, RunInstruction } from '../dockerfile/types.js';
import type { PlanOptions } from './dispatch.js';
import { runCommandString, summarizeHeredoc, uppercaseCmd } from './history.js';
import { parseMount } from './run-mounts.js';
import type { Command, StageGraph } from './stages.js';
import { commit, nextName, normalizeWorkdir, type StageState } from './state.js';
import type { CopySource, CopyStep, PlanStep, RunStep } from './types.js';

export interface StepContext extends PlanOptions {
  graph: StageGraph;
  stageIndex: number;
  states: ReadonlyMap<number, StageState>;
}

const BUILDKIT = ' # buildkit';

/** processCmdEnv: the instruction as written, the variables that are set expanded (the text when that fails). */
function displayed(original: string, env: ReadonlyMap<string, string>, escape: string, raw: boolean): string {
  try {
    return uppercaseCmd(
      processWord(original, env, raw ? { escape, rawQuotes: true, skipUnsetEnv: true } : { escape }).result,
    );
  } catch {
    return uppercaseCmd(original);
  }
}

const shellOf = (s: StageState) => (s.image.config.Shell?.length ? s.image.config.Shell : ['/bin/sh', '-c']);

function runStep(s: StageState, cmd: Command, ins: RunInstruction, ctx: StepContext): PlanStep {
  let args = [...ins.cmdLine];
  let script: RunStep['script'];
  let suffix = '';
  if (ins.files.length) {
    if (args.length !== 1 || !ins.prependShell)
      throw invalidArg(`parsing produced an invalid run command: [${args.join(' ')}]`);
    if (parseHeredocWord(args[0]!)) {
      const f = ins.files[0]!;
      const data = f.chomp ? chompHeredoc(f.data) : f.data;
      if (data.startsWith('#!')) {
        script = { name: f.name, data };
        args = [posix.join('/dev/pipes/', f.name)];
      } else args = [data];
      suffix = ` (${summarizeHeredoc(f.data)})`;
    } else args = [args[0] + ins.files.map((f) => `\n${f.data}${f.name}`).join('')];
  }
  if (ins.prependShell) args = [...shellOf(s), args.join(' ')];
  const cwd = s.image.config.WorkingDir || '/';
  const expand = (w: string) => processWord(w, s.env, { escape: ctx.escape }).result;
  const mounts = ins.mounts.map((value, i) => {
    const m = parseMount(value, expand, cwd);
    const src = cmd.sources[i] ?? null;
    if (src?.kind === 'stage' && !ctx.states.has(src.index))
      throw invalidArg(
        `cannot mount from stage "${m.from}" to "${m.target}", stage needs to be defined before current command`,
      );
    return { ...m, src: m.type === 'bind' || m.type === 'cache' ? src : null };
  });
  const security = (ins.security ?? 'sandbox') as RunStep['security'];
  if (security === 'insecure')
    throw new BerthError(
      'PERMISSION_DENIED',
      'granting entitlement security.insecure is not allowed by build daemon configuration',
    );
  const network = ins.network && ins.network !== 'default' ? ins.network : ctx.network;
  const masked = new Map(s.env);
  for (const m of mounts) if (m.type === 'secret' && m.env) masked.set(m.env, '****');
  const name = nextName(s, displayed(ins.loc.original, masked, ctx.escape, true) + suffix, cmd.onbuild);
  const history = commit(s, `RUN ${runCommandString(args, s.declared, s.env)}${BUILDKIT}`, true);
  const step: RunStep = {
    op: 'run',
    args,
    env: [...s.env].map(([k, v]) => `${k}=${v}`),
    proxyEnv: ctx.proxyEnv,
    user: s.image.config.User ?? '',
    cwd,
    network,
    security,
    mounts,
    ...(script ? { script } : {}),
  };
  return { name, loc: ins.loc, history, step };
}

/** pathRelativeToWorkingDir: absolute, cleaned, a trailing slash (or /.) kept. */
export function destPath(cwd: string, p: string): string {
  const q = p === '' || p === '.' ? './' : p;
  const keep = q.endsWith('/') || q.endsWith('/.');
  const n = posix.normalize(posix.isAbsolute(q) ? q : posix.join('/', cwd || '/', q));
  if (n === '/') return n;
  return keep ? n.replace(/\/?$/, '/') : n.replace(/\/$/, '');
}

const isUrl = (s: string) => /^https?:\/\//.test(s);
/** What dfgitutil treats as a git source: git@, git://, ssh://, or an http(s) URL ending in .git (with #ref). */
const isGit = (s: string) =>
  /^git@[^:]+:/.test(s) || /^(git|ssh):\/\//.test(s) || /^https?:\/\/[^#]+\.git(#.*)?$/.test(s);

function parseChmod(v: string): number | string {
  if (/^[0-9]+$/.test(v)) {
    if (!/^[0-7]+$/.test(v) || parseInt(v, 8) > 0o7777)
      throw invalidArg(`invalid chmod parameter: '${v}'. it should be octal string and between 0 and 07777`);
    return parseInt(v, 8);
  }
  if (!/^([ugoa]*[-+=]([rwxXst]*|[ugo]))+(,([ugoa]*[-+=]([rwxXst]*|[ugo]))+)*$/.test(v))
    throw invalidArg(`invalid chmod parameter: '${v}'. it should be octal string and between 0 and 07777`);
  return v;
}

function copyStep(s: StageState, cmd: Command, ins: CopyInstruction, ctx: StepContext): PlanStep {
  const add = ins.kind === 'ADD';
  const ex = (w: string) => processWord(w, s.env, { escape: ctx.escape }).result;
  const srcs = ins.sources.map(ex);
  const destRaw = ex(ins.dest);
  const chown = ins.chown ? ex(ins.chown) : '';
  const chmodRaw = ins.chmod ? ex(ins.chmod) : '';
  const checksum = ins.checksum ? ex(ins.checksum) : '';
  if (ins.parents) throw new BerthError('NOT_SUPPORTED', 'COPY --parents is not supported by berth');
  const chmod = chmodRaw ? parseChmod(chmodRaw) : undefined;
  if (checksum) {
    if (!add) throw invalidArg("checksum can't be specified for COPY");
    if (srcs.length !== 1) throw invalidArg("checksum can't be specified for multiple sources");
    if (!isUrl(srcs[0]!) && !isGit(srcs[0]!)) throw invalidArg('checksum requires HTTP(S) or Git sources');
    if (!/^sha256:[a-f0-9]{64}$/.test(checksum)) throw invalidArg(`invalid checksum digest format: ${checksum}`);
  }
  const from = cmd.sources[0];
  if (from?.kind === 'stage' && !ctx.states.has(from.index)) {
    const me = ctx.graph.nodes[ctx.stageIndex]!.label;
    throw invalidArg(`cannot copy from stage "${ins.from}", it needs to be defined before current stage "${me}"`);
  }
  const sources: CopySource[] = [];
  for (const src of srcs) {
    if (isGit(src) && !from) {
      if (!add) throw invalidArg("source can't be a git ref for COPY");
      const hash = src.indexOf('#');
      sources.push({
        kind: 'git',
        url: hash < 0 ? src : src.slice(0, hash),
        ref: hash < 0 ? '' : src.slice(hash + 1),
        keepGitDir: !!ins.keepGitDir,
      });
    } else if (isUrl(src) && !from) {
      if (!add) throw invalidArg("source can't be a URL for COPY");
      let filename = '__unnamed__';
      try {
        const base = posix.basename(new URL(src).pathname);
        if (base && base !== '/' && base !== '.') filename = base;
      } catch {
        /* unparsable: the default name */
      }
      sources.push({ kind: 'url', url: src, filename, ...(checksum ? { checksum } : {}) });
    } else {
      const path = cleanPath(posix.join('/', src));
      if (!from) sources.push({ kind: 'context', path });
      else if (from.kind === 'stage') sources.push({ kind: 'stage', index: from.index, path });
      else sources.push({ kind: 'image', ref: from.ref, path });
    }
  }
  for (const c of ins.contents) {
    const data = c.expand ? processWord(c.data, s.env, { skipProcessQuotes: true }).result : c.data;
    sources.push({ kind: 'inline', name: c.name, data });
  }
  const dest = destPath(s.image.config.WorkingDir ?? '/', destRaw);
  // as the peer docker's BuildKit records it: no flags (newer BuildKit adds --chown and --chmod)
  const created = [ins.kind, ...srcs, ...ins.contents.map((c) => `<<${c.name}`), destRaw].join(' ');
  const name = nextName(s, displayed(ins.loc.original, s.env, ctx.escape, false), cmd.onbuild);
  const history = commit(s, created + BUILDKIT, true);
  const step: CopyStep = {
    op: 'copy',
    add,
    sources,
    dest,
    ...(chown ? { chown } : {}),
    ...(chmod !== undefined ? { chmod } : {}),
    link: ins.link,
    exclude: ins.exclude.map(ex),
    parents: ins.parents,
  };
  return { name, loc: ins.loc, history, step };
}

/** The step for RUN, COPY, ADD or WORKDIR (WORKDIR / makes none). */
export function stepFor(s: StageState, cmd: Command, ctx: StepContext): PlanStep | null {
  const { ins } = cmd;
  if (ins.kind === 'RUN') return runStep(s, cmd, ins, ctx);
  if (ins.kind === 'COPY' || ins.kind === 'ADD') return copyStep(s, cmd, ins, ctx);
  if (ins.kind !== 'WORKDIR') return null;
  const c = s.image.config;
  const wd = normalizeWorkdir(c.WorkingDir ?? '/', processWord(ins.value, s.env, { escape: ctx.escape }).result);
  c.WorkingDir = wd;
  if (wd === '/') {
    commit(s, 'WORKDIR /', false);
    return null;
  }
  const name = nextName(s, displayed(ins.loc.original, s.env, ctx.escape, false), cmd.onbuild);
  const history = commit(s, `WORKDIR ${wd}`, true);
  return { name, loc: ins.loc, history, step: { op: 'mkdir', path: wd, user: c.User ?? '' } };
}
