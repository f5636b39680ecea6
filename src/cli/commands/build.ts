/**
 * `berth build [OPTIONS] PATH | URL | -` (and `image build`): docker's
 * flags; progress drawn as buildx draws it (build-display.ts); `-q` prints
 * the image ID; errors as docker shows them (the failed step's output, the
 * Dockerfile lines, `ERROR: failed to solve: ...`), exit 1. Ctrl-C cancels
 * the build, which leaves nothing behind.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BuildError,
  BuildFailure,
  dependsOf,
  isBerthError,
  isTrace,
  resultOf,
  type BuildRequest,
  type ContextSource,
} from '../../client/api.js';
import { formatBuildError } from '../../client/format/build-progress.js';
import { ClassicBuild, isClassic } from '../../client/format/classic-build.js';
import { BuildDisplay, progressMode } from '../build-display.js';
import { keepRecord, OutputTap, recordLine } from '../build-record.js';
import { ExitError, UsageError } from '../context.js';
import { bool, collect, list, str, type Verb } from '../verb.js';

const isUrl = (s: string) =>
  /^https?:\/\//.test(s) || /^git:\/\//.test(s) || /^git@/.test(s) || /^github\.com\//.test(s);

/** `--build-arg K=V`, or `K` alone for the value in the environment. */
function buildArgs(values: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of values) {
    const eq = a.indexOf('=');
    if (eq === 0)
      throw new UsageError(`invalid argument "${a}" for "--build-arg" flag: invalid environment variable: ${a}`);
    if (eq > 0) out.set(a.slice(0, eq), a.slice(eq + 1));
    else if (process.env[a] !== undefined) out.set(a, process.env[a]!);
  }
  return out;
}

function labels(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of values) {
    const eq = l.indexOf('=');
    out[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  return out;
}

/** `--secret id=ID,src=FILE` or `--secret id=ID,env=VAR` (buildx's forms). */
function secrets(values: string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const v of values) {
    const f = new Map(
      v.split(',').map((p) => {
        const eq = p.indexOf('=');
        return [eq < 0 ? p : p.slice(0, eq), eq < 0 ? '' : p.slice(eq + 1)] as [string, string];
      }),
    );
    const src = f.get('src') ?? f.get('source');
    const env = f.get('env');
    const type = f.get('type') ?? (src ? 'file' : env ? 'env' : 'file');
    const id = f.get('id') ?? (type === 'env' ? env : undefined);
    if (!id) throw new UsageError(`invalid argument "${v}" for "--secret" flag: secret id is required`);
    if (type === 'env') {
      const val = process.env[env ?? id];
      if (val === undefined) throw new UsageError(`secret ${id}: environment variable ${env ?? id} is not set`);
      out.set(id, Buffer.from(val));
    } else {
      if (!src) throw new UsageError(`invalid argument "${v}" for "--secret" flag: secret src is required`);
      try {
        out.set(id, readFileSync(src));
      } catch (e) {
        throw new UsageError(`failed to read secret ${id} from ${src}: ${(e as Error).message}`);
      }
    }
  }
  return out;
}

async function* stdinChunks(stdin: NodeJS.ReadStream): AsyncGenerator<Buffer> {
  for await (const c of stdin) yield Buffer.from(c as Buffer);
}

export const verb: Verb = {
  paths: [['build'], ['image', 'build']],
  summary: 'Build an image from a Dockerfile',
  configure(cmd) {
    cmd
      .argument('<PATH|URL|->')
      .option('-t, --tag <name>', 'Name and optionally a tag in the "name:tag" format', collect)
      .option('-f, --file <string>', 'Name of the Dockerfile (Default is "PATH/Dockerfile")')
      .option('--build-arg <list>', 'Set build-time variables', collect)
      .option('--target <string>', 'Set the target build stage to build')
      .option('--no-cache', 'Do not use cache when building the image')
      .option('--pull', 'Always attempt to pull a newer version of the image')
      .option('--label <list>', 'Set metadata for an image', collect)
      .option('-q, --quiet', 'Suppress the build output and print image ID on success')
      .option('--iidfile <string>', 'Write the image ID to the file')
      .option('--platform <string>', 'Set platform if server is multi-platform capable')
      .option('--network <string>', 'Set the networking mode for the RUN instructions during build', 'default')
      .option('--progress <string>', 'Set type of progress output (auto, plain, tty, quiet)', 'auto')
      .option(
        '--secret <stringArray>',
        'Secret to expose to the build (format: "id=mysecret,src=/local/secret")',
        collect,
      );
  },
  async run(cli, args, opts) {
    const [target] = args as [string];
    const quiet = bool(opts, 'quiet');
    let mode;
    try {
      mode = progressMode(str(opts, 'progress'), quiet, !!cli.stderr.isTTY);
    } catch (e) {
      // docker checks the value after parsing the flags: its message alone, exit 1
      throw new ExitError(1, (e as Error).message);
    }
    const file = str(opts, 'file');
    if (target === '-' && file === '-')
      throw new UsageError(`invalid argument: can't use stdin for both build context and dockerfile`);
    let source: ContextSource;
    if (target === '-') source = { kind: 'stdin', stream: stdinChunks(cli.stdin) };
    else if (isUrl(target)) source = { kind: 'url', url: target };
    else source = { kind: 'dir', path: resolve(target) };
    let dockerfile: BuildRequest['context']['dockerfile'];
    if (file === '-') dockerfile = { content: readFileSync(0) };
    else if (file && source.kind === 'dir') {
      const abs = resolve(file);
      try {
        statSync(abs);
      } catch {
        cli.err(`ERROR: unable to prepare context: Cannot locate specified Dockerfile: ${file}`);
        return 1;
      }
      dockerfile = { path: abs };
    } else if (file) dockerfile = { path: file };
    const backend = await cli.backend();
    const iidfile = str(opts, 'iidfile');
    // a line the native launcher may answer again from a record while nothing it read changed
    const line = recordLine(cli, backend, {
      local: source.kind === 'dir' && file !== '-',
      quiet,
      tty: mode === 'tty',
      noCache: opts.cache === false,
      pull: bool(opts, 'pull'),
      iidfile: !!iidfile,
      secrets: list(opts, 'secret').length > 0,
      buildArgs: list(opts, 'buildArg'),
    });
    const out = new OutputTap(cli.stdout);
    const err = new OutputTap(cli.stderr);
    const req: BuildRequest = {
      context: { source, ...(dockerfile ? { dockerfile } : {}) },
      tags: list(opts, 'tag'),
      buildArgs: buildArgs(list(opts, 'buildArg')),
      ...(str(opts, 'target') ? { target: str(opts, 'target')! } : {}),
      noCache: opts.cache === false,
      pull: bool(opts, 'pull'),
      labels: labels(list(opts, 'label')),
      ...(str(opts, 'platform') ? { platform: str(opts, 'platform')! } : {}),
      network: str(opts, 'network') ?? 'default',
      secrets: secrets(list(opts, 'secret')),
      ...(line ? { record: true } : {}),
      ...(quiet ? { quiet: true } : {}),
    };
    const display = new BuildDisplay(err.writer, mode);
    const ctl = new AbortController();
    const onSignal = () => ctl.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let id: string | null = null;
    let depends = null;
    // a remote engine's classic builder: its text on stdout, as the docker CLI prints it with DOCKER_BUILDKIT=0
    const classic = new ClassicBuild();
    let traced = false;
    let plain = false;
    const finish = () => (traced || !plain ? display.finish() : undefined);
    try {
      for await (const m of backend.buildImage(req, { signal: ctl.signal })) {
        if (isTrace(m)) {
          traced = true;
          display.update(m.aux);
        } else if (isClassic(m)) {
          plain = true;
          const text = classic.apply(m, !!cli.stdout.isTTY);
          if (text && !quiet) out.writer.write(text);
        }
        id = resultOf(m) ?? id;
        depends = dependsOf(m) ?? depends;
      }
      finish();
    } catch (e) {
      finish();
      if (e instanceof BuildFailure && !ctl.signal.aborted) {
        // docker's one line, and its status: a RUN step's exit code
        cli.err(e.message);
        return e.status;
      }
      const cancelled = isBerthError(e, 'CANCELLED') || ctl.signal.aborted;
      if (cancelled && plain) {
        // the classic builder's words for a build whose client went away
        cli.err('ERROR: context canceled');
        return 1;
      }
      const lines = cancelled
        ? formatBuildError({ message: 'Canceled: context canceled', solve: true })
        : e instanceof BuildError
          ? formatBuildError({ message: e.message, source: e.source, vertex: e.vertex, logs: e.logs, solve: true })
          : formatBuildError({ message: (e as Error).message, solve: false });
      for (const l of lines) cli.err(l);
      return 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (iidfile && id) writeFileSync(iidfile, id);
    if (quiet && id) out.writer.write(`${id}\n`);
    if (line && depends)
      await keepRecord(backend, line, depends, { stdout: out.text, stderr: err.text, stderrTty: !!cli.stderr.isTTY });
  },
};
