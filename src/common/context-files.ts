/**
 * What the embedded build and the remote backend's context upload both read
 * the same way: whether bytes are an archive (docker's IsArchive), and the
 * .dockerignore that applies to a context (`<Dockerfile>.dockerignore`
 * beside the Dockerfile when there is one, else the context's own). Shared
 * by src/engine and src/client; imports nothing of either but the errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../engine/errors.js';
import { IgnoreMatcher, parseDockerignore } from './dockerignore.js';

/** A context that cannot be prepared, in docker's words. */
export const prepareError = (msg: string, cause?: unknown) =>
  new BerthError('INVALID_ARGUMENT', `unable to prepare context: ${msg}`, { cause });

/** The Dockerfile's bytes at `path`; a missing or unreadable one is one line, as docker says it. */
export function readDockerfile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw prepareError(`unable to evaluate symlinks in Dockerfile path: lstat ${path}: no such file or directory`, e);
    throw prepareError(`cannot read ${path}: ${(e as Error).message}`, e);
  }
}

/** A git repository as docker names one for a build context (git://, git@, github.com/, an http(s) URL ending .git). */
export const isGitUrl = (s: string) =>
  /^git:\/\//.test(s) || /^git@/.test(s) || /^github\.com\//.test(s) || /^https?:\/\/[^#]*\.git(#.*)?$/.test(s);

/** docker's IsArchive: compressed by magic bytes, or a readable tar header. */
export function looksLikeTar(head: Buffer): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return true;
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return true;
  if (head.length < 512) return false;
  const magic = head.toString('latin1', 257, 262);
  if (magic === 'ustar') return true;
  // an old v7 tar: the header checksum adds up
  const stored = parseInt(head.toString('latin1', 148, 156).replace(/\0.*$/, '').trim(), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : head[i]!;
  return stored === sum;
}

/** The ignore files a context's build looks at, in the order it looks (for a replay record). */
export const ignoreFiles = (ctxDir: string, dockerfilePath: string | null) => [
  ...(dockerfilePath ? [`${dockerfilePath}.dockerignore`] : []),
  join(ctxDir, '.dockerignore'),
];

/** The context's ignore rules (null: none) and the size of the file they came from. */
export function loadIgnore(
  ctxDir: string,
  dockerfilePath: string | null,
): { matcher: IgnoreMatcher | null; bytes: number } {
  const own = dockerfilePath ? `${dockerfilePath}.dockerignore` : null;
  const file = own && existsSync(own) ? own : join(ctxDir, '.dockerignore');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { matcher: null, bytes: 0 };
  }
  const patterns = parseDockerignore(text);
  return { matcher: patterns.length ? new IgnoreMatcher(patterns) : null, bytes: Buffer.byteLength(text) };
}
