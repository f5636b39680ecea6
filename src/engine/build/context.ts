/**
 * The build context and the Dockerfile, as the docker CLI prepares them: a
 * local directory read in place (never copied), a tar (plain or
 * compressed) or a Dockerfile given on stdin and told apart by their bytes,
 * a URL to a tar or a Dockerfile over HTTP(S), or a git repository (cloned
 * with git when it is installed). `.dockerignore` (or `<Dockerfile>.dockerignore`
 * beside the Dockerfile) hides files from COPY and ADD. Downloaded and
 * unpacked contexts live in the build's scratch directory.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { autoDecompress } from '../archive/compression.js';
import { openUrl } from '../archive/import.js';
import { BerthError } from '../errors.js';
import { extractTar } from '../layer/extract.js';
import {
  ignoreFiles,
  isGitUrl,
  loadIgnore,
  looksLikeTar,
  prepareError,
  readDockerfile,
} from '../../common/context-files.js';
import type { IgnoreMatcher } from '../../common/dockerignore.js';
import { ContextView, DirView, resolveIn } from './fs/view.js';

export type ContextSource =
  | { kind: 'dir'; path: string }
  | { kind: 'url'; url: string }
  /** `-`: a tar (maybe compressed) or a Dockerfile. */
  | { kind: 'stdin'; stream: AsyncIterable<Buffer> };

export interface ContextInput {
  source: ContextSource;
  /** -f: a path (absolute, or relative to the context), or the Dockerfile's bytes (-f -). */
  dockerfile?: { path: string } | { content: Buffer };
}

export interface BuildContext {
  dir: string;
  view: ContextView;
  matcher: IgnoreMatcher | null;
  /** The .dockerignore file's size (progress shows "transferring context: NB"). */
  ignoreBytes: number;
  dockerfile: string;
  dockerfileName: string;
  dockerfileBytes: number;
  /**
   * The host files the Dockerfile and .dockerignore were read from or looked for (there or
   * not), for a build replay record; null when the build read something that cannot be checked
   * again by its metadata (a context or Dockerfile from stdin or a URL).
   */
  hostFiles: string[] | null;
}

async function untarInto(data: AsyncIterable<Buffer>, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { data: plain } = await autoDecompress(data);
  await extractTar(plain, dir, { keepOwners: true });
}

async function readAll(src: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of src) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function gitClone(url: string, dir: string): Promise<string> {
  const [repo, fragment = ''] = url.split('#', 2) as [string, string?];
  const [ref, sub] = fragment.split(':', 2);
  const run = promisify(execFile);
  try {
    await run('git', ['--version']);
  } catch (e) {
    throw prepareError(
      `unable to 'git clone' to temporary context directory: error fetching: exec: "git": executable file not found in $PATH`,
      e,
    );
  }
  const remote = /^github\.com\//.test(repo) ? `https://${repo}` : repo;
  try {
    await run(
      'git',
      ['clone', '--quiet', '--recurse-submodules', ...(ref ? ['--branch', ref] : []), '--', remote, dir],
      {
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      },
    );
  } catch (e) {
    const err = String((e as { stderr?: string }).stderr ?? (e as Error).message).trim();
    throw prepareError(`unable to 'git clone' to temporary context directory: error fetching: ${err}`, e);
  }
  return sub ? gitSubdir(dir, sub) : dir;
}

/**
 * `#REF:DIR`'s directory inside the clone, resolved as docker's CLI does
 * (FollowSymlinkInScope): `..` and symbolic links never leave the clone, so
 * a repository's link to `/etc` names the clone's own `etc`, not the host's.
 */
function gitSubdir(root: string, sub: string): string {
  const rel = resolveIn(new DirView(root), sub, true);
  const dir = rel ? join(root, rel) : root;
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw prepareError(`stat ${dir}: no such file or directory`);
  }
  if (!st.isDirectory()) throw prepareError(`error setting git context, not a directory: ${dir}`);
  return dir;
}

/** Resolve the context and read the Dockerfile; `scratch` holds anything downloaded or unpacked. */
export async function openContext(input: ContextInput, scratch: string, signal?: AbortSignal): Promise<BuildContext> {
  let dir: string;
  let dockerfileText: Buffer | null = null;
  const src = input.source;
  if (src.kind === 'dir') {
    dir = resolve(src.path);
    let st;
    try {
      st = statSync(dir);
    } catch (e) {
      throw prepareError(`path "${src.path}" not found`, e);
    }
    if (!st.isDirectory()) throw prepareError(`context must be a directory: ${dir}`);
  } else if (src.kind === 'stdin') {
    const data = await readAll(src.stream);
    dir = join(scratch, 'context');
    mkdirSync(dir, { recursive: true });
    if (looksLikeTar(data.subarray(0, 512))) await untarInto(Readable.from([data]), dir);
    else dockerfileText = data;
  } else if (isGitUrl(src.url)) {
    dir = await gitClone(src.url, join(scratch, 'context'));
  } else if (/^https?:\/\//.test(src.url)) {
    const file = join(scratch, 'context.download');
    await pipeline(await openUrl(src.url, signal), createWriteStream(file));
    const head = readFileSync(file).subarray(0, 512);
    dir = join(scratch, 'context');
    mkdirSync(dir, { recursive: true });
    if (looksLikeTar(head)) await untarInto(Readable.from([readFileSync(file)]), dir);
    else dockerfileText = readFileSync(file);
  } else throw prepareError(`unable to prepare context: path "${src.url}" not found`);

  let name = 'Dockerfile';
  let dockerfilePath: string | null = null;
  const df = input.dockerfile;
  if (df && 'content' in df) dockerfileText = df.content;
  else if (!dockerfileText) {
    dockerfilePath = df ? resolve(dir, df.path) : join(dir, 'Dockerfile');
    name = df ? df.path.split('/').pop()! : 'Dockerfile';
    dockerfileText = readDockerfile(dockerfilePath);
  }
  if (dockerfileText.length === 0) throw new BerthError('INVALID_ARGUMENT', 'the Dockerfile cannot be empty');
  const { matcher, bytes } = loadIgnore(dir, dockerfilePath);
  return {
    dir,
    view: new ContextView(dir, matcher),
    matcher,
    ignoreBytes: bytes,
    dockerfile: dockerfileText.toString('utf8'),
    dockerfileName: name,
    dockerfileBytes: dockerfileText.length,
    hostFiles: src.kind === 'dir' && dockerfilePath ? [dockerfilePath, ...ignoreFiles(dir, dockerfilePath)] : null,
  };
}

/** Write bytes a step fetched (ADD URL) to a file. */
export function saveTo(path: string, data: Buffer): void {
  writeFileSync(path, data);
}
