/**
 * Build failures as docker shows them, exit 1: a syntax error names its line
 * (`Dockerfile:3` with the lines around it, "unknown instruction: FOO"), a
 * missing COPY source fails to compute the cache key (the peer docker's
 * words), a failing RUN shows its command, exit code and last output lines;
 * the context and -f problems in the docker CLI's words. A failed build
 * leaves no image and no scratch files.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  berth,
  describeIf,
  fixture,
  itIf,
  peerSkipReason,
  skipReason,
  tempRoot,
  type TempRoot,
} from '../helpers/env.js';
import { build, makeContext } from '../helpers/build.js';

const skip = skipReason();
let t: TempRoot;
const dirs: string[] = [];
const ctx = (files: Record<string, string>) => {
  const d = makeContext(files);
  dirs.push(d);
  return d;
};
const tail = (s: string, n: number) => s.trimEnd().split('\n').slice(-n);

describeIf(skip)('build errors', () => {
  beforeAll(async () => {
    t = tempRoot('berth-build-errors-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    t?.cleanup();
  });

  itIf(skip)('a syntax error names the line', async () => {
    const r = await build(t, [ctx({ Dockerfile: 'FROM bb\nRUN true\n\nFOO bar\nRUN later\n' })]);
    expect(r.exitCode).toBe(1);
    expect(tail(r.stderr, 8)).toEqual([
      'Dockerfile:4',
      '--------------------',
      '   2 |     RUN true',
      '   3 |',
      '   4 | >>> FOO bar',
      '   5 |     RUN later',
      '--------------------',
      'ERROR: failed to solve: dockerfile parse error on line 4: unknown instruction: FOO',
    ]);
    const flag = await build(t, [ctx({ Dockerfile: 'FROM bb\nCOPY --frm=x a b\n' })]);
    expect(tail(flag.stderr, 1)).toEqual([
      'ERROR: failed to solve: dockerfile parse error on line 2: unknown flag: --frm',
    ]);
    const multi = await build(t, [ctx({ Dockerfile: 'FROM bb\nRUN echo \\\n  one \\\n  ${A\n' })]);
    const lines = multi.stderr.split('\n');
    expect(lines.slice(lines.indexOf('Dockerfile:2-4'), lines.indexOf('Dockerfile:2-4') + 6)).toEqual([
      'Dockerfile:2-4',
      '--------------------',
      '   1 |     FROM bb',
      '   2 | >>> RUN echo \\',
      '   3 | >>>   one \\',
      '   4 | >>>   ${A',
    ]);
  });

  itIf(skip)('a missing COPY source: "failed to compute cache key", as the peer docker says it', async () => {
    const dir = ctx({ Dockerfile: 'FROM bb\nCOPY missing /x\n' });
    const r = await build(t, [dir]);
    expect(r.exitCode).toBe(1);
    const last = tail(r.stderr, 1)[0]!;
    expect(last).toBe('ERROR: failed to solve: failed to compute cache key: "/missing" not found: not found');
    expect(r.stderr).toContain(' > [2/2] COPY missing /x:\n------\nDockerfile:2\n');
    if (!peerSkipReason()) {
      const p = await execa(
        process.env.PEER_DOCKER ?? 'docker',
        ['-H', process.env.PEER_DOCKER_HOST!, 'build', '--network', 'none', dir],
        {
          reject: false,
          env: { DOCKER_BUILDKIT: '1' },
        },
      );
      expect(p.exitCode).toBe(1);
      expect(last.replace('ERROR: failed to solve: ', '')).toBe(tail(p.stderr, 1)[0]);
    }
  });

  itIf(skip)('a failing RUN: its command, exit code and last lines of output; no image', async () => {
    const before = (await berth(t, ['images', '-q', '-a'])).stdout;
    const r = await build(t, [
      '-t',
      'never:1',
      ctx({
        Dockerfile: 'FROM bb\nRUN for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line $i; done; echo oops >&2; exit 3\n',
      }),
    ]);
    expect(r.exitCode).toBe(1);
    const cmd = 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line $i; done; echo oops >&2; exit 3';
    expect(r.stderr).toContain(`#5 0.`);
    const lines = r.stderr.split('\n');
    expect(lines.slice(lines.indexOf('------'), lines.indexOf('------') + 19)).toEqual([
      '------',
      ` > [2/2] RUN ${cmd}:`,
      'line 4',
      'line 5',
      'line 6',
      'line 7',
      'line 8',
      'line 9',
      'line 10',
      'line 11',
      'line 12',
      'oops',
      '------',
      'Dockerfile:2',
      '--------------------',
      '   1 |     FROM bb',
      `   2 | >>> RUN ${cmd}`,
      '   3 |',
      '--------------------',
    ]);
    expect(tail(r.stderr, 1)[0]).toBe(
      `ERROR: failed to solve: process "/bin/sh -c ${cmd}" did not complete successfully: exit code: 3`,
    );
    expect((await berth(t, ['images', '-q', '-a'])).stdout).toBe(before);
    expect(readdirSync(join(t.root, 'tmp'))).toEqual([]);
    const notFound = await build(t, [ctx({ Dockerfile: 'FROM bb\nRUN ["/nope"]\n' })]);
    expect(notFound.stderr).toContain(' > [2/2] RUN ["/nope"]:\nexec: "/nope": no such file or directory\n------');
    expect(tail(notFound.stderr, 1)[0]).toBe(
      'ERROR: failed to solve: process "/nope" did not complete successfully: exit code: 127',
    );
  });

  itIf(skip)("context and Dockerfile problems in the docker CLI's words", async () => {
    const none = await build(t, ['/nonexistent/ctx']);
    expect([none.exitCode, none.stderr]).toEqual([
      1,
      'ERROR: unable to prepare context: path "/nonexistent/ctx" not found\n',
    ]);
    const dir = ctx({ 'other.txt': 'x' });
    const noFile = await build(t, [dir]);
    expect(noFile.exitCode).toBe(1);
    expect(noFile.stderr).toBe(
      `ERROR: unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${dir}/Dockerfile: no such file or directory\n`,
    );
    const badF = await build(t, ['-f', 'nope.Dockerfile', dir]);
    expect(badF.stderr).toBe('ERROR: unable to prepare context: Cannot locate specified Dockerfile: nope.Dockerfile\n');
    const noImage = await build(t, [ctx({ Dockerfile: 'FROM no-such-image:1\n' })]);
    expect(noImage.exitCode).toBe(1);
    expect(tail(noImage.stderr, 1)[0]).toMatch(
      /^ERROR: failed to solve: no-such-image:1: failed to resolve source metadata for docker\.io\/library\/no-such-image:1: /,
    );
    const badTag = await build(t, ['-t', 'Bad:Tag', dir]);
    expect(badTag.exitCode).toBe(1);
    expect(badTag.stderr).toContain('invalid argument "Bad:Tag" for "-t, --tag" flag');
    const badTarget = await build(t, ['--target', 'nope', ctx({ Dockerfile: 'FROM bb AS a\n' })]);
    expect(tail(badTarget.stderr, 1)[0]).toBe('ERROR: failed to solve: target stage "nope" could not be found');
    const stdinBoth = await berth(t, ['build', '-f', '-', '-'], { input: 'FROM bb' });
    expect(stdinBoth.exitCode).toBe(125);
    expect(stdinBoth.stderr).toContain("can't use stdin for both build context and dockerfile");
  });
});
