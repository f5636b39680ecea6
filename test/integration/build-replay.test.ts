/**
 * Build replay records: the native launcher (bin/berth) answers a `berth
 * build` line again from the record its last build kept while nothing that
 * build depended on changed, and hands it to Node at any change. With
 * BERTH_NATIVE_RUN=only the launcher never starts Node (it exits 125 where
 * it would hand over), so exit 0 there proves a replay, and 125 that none
 * happened; the same line then built by Node shows what a replay would have
 * got wrong (a new image) or that nothing would have (the same image, the
 * steps from the cache). Needs root.
 */
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { afterAll, beforeAll, expect } from 'vitest';
import { cachedSteps, ranSteps, writeContext } from '../helpers/build.js';
import {
  REPO,
  berth,
  describeIf,
  fixture,
  itIf,
  skipReason,
  tempRoot,
  type RunResult,
  type TempRoot,
} from '../helpers/env.js';

const skip = skipReason();
const BIN = join(REPO, 'bin', 'berth');
let t: TempRoot;

/** bin/berth as a user runs it: native 'only' (a replay or exit 125), 'auto' (as users have it), '0' (Node). */
async function launch(args: string[], native: 'only' | 'auto' | '0'): Promise<RunResult> {
  const env = { ...t.env, NO_COLOR: '1', ...(native === 'auto' ? {} : { BERTH_NATIVE_RUN: native }) };
  const r = await execa(BIN, args, { env, cwd: t.base, reject: false, stripFinalNewline: false, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const HANDED_OVER = /the native run path cannot take this command line/;
const DOCKERFILE = 'FROM base:1\nCOPY sub /sub\nRUN cat /sub/a > /out\nENV DONE=1\n';

/** A context per test (made before the settle wait: a record needs files older than its build). */
const ctxs = new Map<string, string>();
function makeCtx(name: string, files: Record<string, string> = {}): void {
  const dir = join(t.base, name);
  mkdirSync(dir);
  writeContext(dir, { Dockerfile: DOCKERFILE, 'sub/a': 'A\n', ...files });
  ctxs.set(name, dir);
}
const ctx = (name: string) => ctxs.get(name)!;

/** Build the line (Node keeps its record), then see the launcher answer it alone with the same output. */
async function primed(args: string[]): Promise<string> {
  const first = await launch(args, 'auto');
  expect(first.exitCode, first.stderr).toBe(0);
  const again = await launch(args, 'only');
  expect(again.stderr).toBe(first.stderr);
  expect(again.exitCode).toBe(0);
  expect(again.stdout).toBe(first.stdout);
  return first.stdout.trim();
}

/** The line is not answered from its record. */
async function notReplayed(args: string[]): Promise<void> {
  const r = await launch(args, 'only');
  expect(r.exitCode).toBe(125);
  expect(r.stderr).toMatch(HANDED_OVER);
}

const quiet = (dir: string, ...extra: string[]) => ['build', '-q', '--network', 'none', ...extra, dir];

describeIf(skip)('build replay records', () => {
  beforeAll(async () => {
    t = tempRoot('berth-build-replay-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    for (const tag of ['base:1', 'base-retag:1']) expect((await berth(t, ['tag', 'bb', tag])).exitCode).toBe(0);
    for (const name of ['replay', 'plain', 'edit', 'touch', 'add', 'arg', 'rm', 'nocache', 'file', 'prune'])
      makeCtx(name);
    makeCtx('ignore', { 'sub/b': 'b\n' });
    makeCtx('retag');
    writeFileSync(join(ctx('retag'), 'Dockerfile'), DOCKERFILE.replace('base:1', 'base-retag:1'));
    writeFileSync(join(ctx('arg'), 'Dockerfile'), 'FROM base:1\nARG V\nRUN echo "$V" > /v\n');
    writeFileSync(join(ctx('file'), 'Other.Dockerfile'), 'FROM base:1\nRUN echo other > /other\n');
    makeCtx('derived');
    // record.ts: the files a record names must have last changed settleMs (2 s) before the build began
    await new Promise((r) => setTimeout(r, 2100));
  });
  afterAll(() => t?.cleanup());

  itIf(skip)('an unchanged line is answered without Node: its output, the tag event and the cache use', async () => {
    const args = quiet(ctx('replay'), '-t', 'replay:1');
    const id = await primed(args);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const db = () => new Database(join(t.root, 'berth.db'), { readonly: true });
    const counts = () => {
      const d = db();
      try {
        const tags = d
          .prepare("SELECT count(*) AS n FROM events WHERE type = 'image' AND action = 'tag' AND actor_id = ?")
          .get(id) as { n: number };
        const used = d.prepare('SELECT sum(usage_count) AS n FROM build_cache').get() as { n: number };
        return { tags: tags.n, used: used.n };
      } finally {
        d.close();
      }
    };
    const before = counts();
    const r = await launch(args, 'only');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`${id}\n`);
    // as a build from the cache does: docker's tag event, each step's cache entry used once more
    const after = counts();
    expect(after.tags).toBe(before.tags + 1);
    expect(after.used).toBe(before.used + 2);
    // Node's build of the line gives the same image
    const node = await launch(args, '0');
    expect(node.stdout).toBe(`${id}\n`);
  });

  itIf(skip)('plain progress is replayed as Node printed it for the build from the cache', async () => {
    const args = ['build', '--progress', 'plain', '--network', 'none', ctx('plain')];
    const first = await launch(args, 'auto');
    expect(first.exitCode).toBe(0);
    // the first build of this context: its steps may have run, so no record (its output differs from a cached one)
    const second = await launch(args, 'auto');
    expect(cachedSteps(second.stderr).length).toBeGreaterThan(0);
    const replay = await launch(args, 'only');
    expect(replay.exitCode).toBe(0);
    expect(replay.stderr).toBe(second.stderr);
  });

  itIf(skip)('a file edited to the same size is seen: no replay, a new image', async () => {
    const args = quiet(ctx('edit'));
    const id = await primed(args);
    writeFileSync(join(ctx('edit'), 'sub', 'a'), 'B\n');
    await notReplayed(args);
    const r = await launch(args, 'auto');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).not.toBe(id);
    // the file changed just before that build: it kept no record (its ctime is not settled)
    await notReplayed(args);
  });

  itIf(skip)('a touched file is seen, also with its mtime set back (the ctime changed)', async () => {
    const args = quiet(ctx('touch'));
    const id = await primed(args);
    const file = join(ctx('touch'), 'sub', 'a');
    const st = statSync(file);
    utimesSync(file, st.atime, new Date(st.mtimeMs + 5000));
    await notReplayed(args);
    utimesSync(file, st.atime, st.mtime);
    await notReplayed(args);
    // the content is the same: Node's build is all from the cache, the same image
    const r = await launch(args, 'auto');
    expect(r.stdout.trim()).toBe(id);
  });

  itIf(skip)('a file added to a copied directory is seen: no replay, a new image', async () => {
    const args = quiet(ctx('add'));
    const id = await primed(args);
    writeFileSync(join(ctx('add'), 'sub', 'new'), 'new\n');
    await notReplayed(args);
    expect((await launch(args, 'auto')).stdout.trim()).not.toBe(id);
  });

  itIf(skip)('another build argument is another line', async () => {
    const id = await primed(quiet(ctx('arg'), '--build-arg', 'V=1'));
    await notReplayed(quiet(ctx('arg'), '--build-arg', 'V=2'));
    expect((await launch(quiet(ctx('arg'), '--build-arg', 'V=2'), 'auto')).stdout.trim()).not.toBe(id);
    // a build argument taken from the environment is never recorded
    await launch(quiet(ctx('arg'), '--build-arg', 'V'), 'auto');
    await notReplayed(quiet(ctx('arg'), '--build-arg', 'V'));
  });

  itIf(skip)('a base tag moved to another image is seen: no replay, a new image', async () => {
    const args = quiet(ctx('retag'));
    const id = await primed(args);
    const other = ctx('replay'); // an image of its own
    const otherId = (await launch(quiet(other), 'auto')).stdout.trim();
    expect((await berth(t, ['tag', otherId, 'base-retag:1'])).exitCode).toBe(0);
    await notReplayed(args);
    expect((await launch(args, 'auto')).stdout.trim()).not.toBe(id);
  });

  itIf(skip)('a removed image is seen: no replay, the build makes it again', async () => {
    const args = quiet(ctx('rm'), '-t', 'removed:1');
    const id = await primed(args);
    expect((await berth(t, ['rmi', 'removed:1'])).exitCode).toBe(0);
    await notReplayed(args);
    expect((await launch(args, 'auto')).stdout.trim()).toBe(id);
    expect((await berth(t, ['image', 'inspect', 'removed:1'])).exitCode).toBe(0);
  });

  itIf(skip)('--no-cache is never answered from a record: its steps run', async () => {
    const dir = ctx('nocache');
    await primed(quiet(dir));
    const plain = ['build', '--progress', 'plain', '--network', 'none', '--no-cache', dir];
    await notReplayed(plain);
    const r = await launch(plain, 'auto');
    expect(r.exitCode).toBe(0);
    expect(ranSteps(r.stderr).length).toBeGreaterThan(0);
    expect(cachedSteps(r.stderr)).toEqual([]);
  });

  itIf(skip)('another -f is another line; an edited Dockerfile is seen', async () => {
    const dir = ctx('file');
    await primed(quiet(dir));
    await notReplayed(quiet(dir, '-f', join(dir, 'Other.Dockerfile')));
    writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE.replace('DONE=1', 'DONE=2'));
    await notReplayed(quiet(dir));
  });

  itIf(skip)('a .dockerignore added is seen', async () => {
    const dir = ctx('ignore');
    const id = await primed(quiet(dir));
    writeFileSync(join(dir, '.dockerignore'), 'sub/b\n');
    await notReplayed(quiet(dir));
    // sub/b is gone from the context: COPY sub copies less
    expect((await launch(quiet(dir), 'auto')).stdout.trim()).not.toBe(id);
  });

  itIf(skip)('builder prune drops the records with the cache', async () => {
    const args = quiet(ctx('prune'));
    await primed(args);
    expect((await berth(t, ['builder', 'prune', '-a', '-f'])).exitCode).toBe(0);
    await notReplayed(args);
  });

  itIf(skip)('a --no-cache -q build keeps the record of its line without --no-cache: the same image', async () => {
    const dir = ctx('derived');
    const made = await launch(quiet(dir, '--no-cache'), 'auto');
    expect(made.exitCode).toBe(0);
    const replay = await launch(quiet(dir), 'only');
    expect(replay.exitCode).toBe(0);
    expect(replay.stdout).toBe(made.stdout);
    // Node's build of that line is all from the cache and gives that image
    const node = await launch(['build', '--progress', 'plain', '--network', 'none', dir], '0');
    expect(ranSteps(node.stderr)).toEqual([]);
    expect((await launch(quiet(dir), '0')).stdout).toBe(made.stdout);
    rmSync(join(t.root, 'build-records'), { recursive: true, force: true });
  });
});
