/**
 * The rest of `berth build`'s surface: `image build` is the same verb,
 * `--progress tty` draws buildx's frame even into a pipe, docker's messages
 * for a bad --progress and a bad --build-arg, a git URL without
 * git installed says so in docker's words, and independent stages build in
 * parallel, as BuildKit builds them (each of two stages waits for the other
 * to have started: built one after the other, the first would give up).
 */
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { berth, describeIf, fixture, itIf, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { build, contexts, lastLine } from '../helpers/build.js';

const skip = skipReason();
let t: TempRoot;
const { ctx, keep, removeAll } = contexts();
const last = lastLine;

describeIf(skip)('the build command', () => {
  beforeAll(async () => {
    t = tempRoot('berth-build-command-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(() => {
    removeAll();
    t?.cleanup();
  });

  itIf(skip)('image build is build; --progress tty draws the frame in place even into a pipe', async () => {
    const dir = ctx({ Dockerfile: 'FROM bb\nRUN echo alias > /a\n' });
    const viaAlias = await berth(t, ['image', 'build', '-q', '--network', 'none', '-t', 'alias:1', dir]);
    expect(viaAlias.exitCode, viaAlias.stderr).toBe(0);
    const viaBuild = await berth(t, ['build', '-q', '--network', 'none', dir]);
    expect(viaBuild.stdout).toBe(viaAlias.stdout);
    expect(viaAlias.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);

    // a step that lasts a second, so the frame is drawn more than once (a 0.1 s build may be drawn once, at its end)
    const slow = ctx({ Dockerfile: 'FROM bb\nRUN sleep 1 && echo tty > /t\n' });
    const tty = await berth(t, ['build', '--progress', 'tty', '--no-cache', '--network', 'none', slow]);
    expect(tty.exitCode, tty.stderr).toBe(0);
    // buildx's frame: a header with the count, redrawn by moving the cursor up, FINISHED at the end
    expect(tty.stderr).toMatch(/\[\+\] Building \d+\.\d+s \(\d+\/\d+\) FINISHED/);
    expect(tty.stderr).toMatch(/ => \[2\/2\] RUN sleep 1 && echo tty > \/t\s+\d+\.\d+s/);
    expect(tty.stderr).toMatch(/\x1b\[\d*A/);
    expect(tty.stderr).not.toMatch(/^#\d+ /m);
    // docker's words: a bad --progress after the flags are parsed (exit 1), a bad --build-arg as a flag (125)
    const bad = await berth(t, ['build', '--progress', 'fancy', dir]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toBe('invalid value "fancy" passed to --progress, valid values are: auto, plain, tty, quiet\n');
    const arg = await berth(t, ['build', '--build-arg', '=x', dir]);
    expect(arg.exitCode).toBe(125);
    expect(arg.stderr).toContain('invalid argument "=x" for "--build-arg" flag: invalid environment variable: =x');
  });

  itIf(skip)("a git URL without git installed: docker's message, exit 1", async () => {
    // a PATH with node and nothing else
    const bin = mkdtempSync(join(tmpdir(), 'berth-nogit-'));
    keep(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = await berth(t, ['build', '-q', 'https://example.invalid/repo.git#main'], { env: { PATH: bin } });
    expect(r.exitCode).toBe(1);
    expect(last(r.stderr)).toBe(
      `ERROR: unable to prepare context: unable to 'git clone' to temporary context directory: error fetching: exec: "git": executable file not found in $PATH`,
    );
  });

  itIf(skip)('independent stages build in parallel', async () => {
    // each stage marks that it started in a shared cache mount, then waits (at most 60 s) for the other's mark
    const wait = (me: string, other: string) =>
      `RUN --mount=type=cache,id=rendezvous,target=/r sh -c 'touch /r/${me}; i=0; ` +
      `while [ ! -e /r/${other} ]; do i=$((i+1)); [ $i -lt 1200 ] || exit 7; sleep 0.05; done; echo ${me} > /${me}'`;
    const dir = ctx({
      Dockerfile: [
        'FROM bb AS a',
        wait('a', 'b'),
        'FROM bb AS b',
        wait('b', 'a'),
        'FROM bb',
        'COPY --from=a /a /a',
        'COPY --from=b /b /b',
        '',
      ].join('\n'),
    });
    const r = await build(t, ['-t', 'parallel:1', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = await berth(t, ['run', '--rm', 'parallel:1', 'cat', '/a', '/b']);
    expect(out.stdout).toBe('a\nb\n');
  });
});
