/**
 * The build cache: a rebuild of the same inputs is all CACHED and gives the
 * same image ID; changes that change no step (a comment, a touched file, an
 * ignored file) keep the cache; one byte in a copied file misses from that
 * step on; --no-cache runs everything; the cache persists across processes;
 * system df shows it and builder prune empties it, taking the layers only it
 * kept; .dockerignore rules decide what COPY sees.
 */
import { chmodSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { berth, describeIf, fixture, itIf, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { build, cachedSteps, makeContext, ranSteps, writeContext } from '../helpers/build.js';
import { EmbeddedBackend } from '../../src/client/embedded.js';

const skip = skipReason();
let t: TempRoot;
let ctx: string;

const DOCKERFILE = [
  'FROM bb AS base',
  'RUN echo base > /base',
  'FROM base',
  'WORKDIR /app',
  'COPY a.txt .',
  'RUN cat a.txt > copy.txt',
  'COPY . /all',
  'ENV DONE=1',
].join('\n');

const idOf = (stdout: string) => stdout.trim();

describeIf(skip)('build cache', () => {
  beforeAll(async () => {
    t = tempRoot('berth-build-cache-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    ctx = makeContext({
      Dockerfile: DOCKERFILE,
      'a.txt': 'first\n',
      'b.txt': 'b\n',
      'ignored/x': 'ignored\n',
      '.dockerignore': 'ignored\n*.tmp\nDockerfile\n',
    });
  });
  afterAll(() => {
    rmSync(ctx, { recursive: true, force: true });
    t?.cleanup();
  });

  itIf(skip)('a rebuild is all CACHED and gives the same image ID', async () => {
    const one = await build(t, ['-q', '-t', 'cache:1', ctx]);
    expect(one.exitCode, one.stderr).toBe(0);
    const two = await build(t, ['-t', 'cache:1', '--iidfile', join(ctx, '..', 'iid'), ctx]);
    expect(two.exitCode, two.stderr).toBe(0);
    expect(cachedSteps(two.stderr)).toEqual([
      '[base 2/2] RUN echo base > /base',
      '[stage-1 1/4] WORKDIR /app',
      '[stage-1 2/4] COPY a.txt .',
      '[stage-1 3/4] RUN cat a.txt > copy.txt',
      '[stage-1 4/4] COPY . /all',
    ]);
    expect(ranSteps(two.stderr)).toEqual([]);
    const iid = readFileSync(join(ctx, '..', 'iid'), 'utf8');
    expect(iid).toBe(idOf(one.stdout));
    expect(idOf(one.stdout)).toMatch(/^sha256:[a-f0-9]{64}$/);
  });

  itIf(skip)('changes that change no step keep the cache: a comment, a touched file, an ignored file', async () => {
    const before = idOf((await build(t, ['-q', ctx])).stdout);
    writeFileSync(
      join(ctx, 'Dockerfile'),
      `# a comment\n\n${DOCKERFILE.replace('COPY a.txt .', 'COPY   a.txt   .')}\n`,
    );
    utimesSync(join(ctx, 'a.txt'), new Date(1000), new Date(1000));
    writeContext(ctx, { 'ignored/x': 'changed but ignored\n', 'new.tmp': 'ignored too\n' });
    const r = await build(t, ['-t', 'cache:2', ctx]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(ranSteps(r.stderr)).toEqual([]);
    const after = idOf((await build(t, ['-q', ctx])).stdout);
    expect(after).toBe(before);
    writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
  });

  itIf(skip)('one byte changed in a copied file: that step and the ones after it run again', async () => {
    writeFileSync(join(ctx, 'a.txt'), 'firsT\n');
    const r = await build(t, [ctx]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(cachedSteps(r.stderr)).toEqual(['[base 2/2] RUN echo base > /base', '[stage-1 1/4] WORKDIR /app']);
    expect(ranSteps(r.stderr)).toEqual([
      '[stage-1 2/4] COPY a.txt .',
      '[stage-1 3/4] RUN cat a.txt > copy.txt',
      '[stage-1 4/4] COPY . /all',
    ]);
    // a mode change is a change too (modification times are not)

    chmodSync(join(ctx, 'b.txt'), 0o600);
    const m = await build(t, [ctx]);
    expect(ranSteps(m.stderr)).toEqual(['[stage-1 4/4] COPY . /all']);
  });

  itIf(skip)('--no-cache runs every step and makes a new image', async () => {
    const cached = idOf((await build(t, ['-q', ctx])).stdout);
    const r = await build(t, ['--no-cache', '--iidfile', join(ctx, '..', 'iid2'), ctx]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(cachedSteps(r.stderr)).toEqual([]);
    expect(ranSteps(r.stderr)).toHaveLength(5);
    const fresh = readFileSync(join(ctx, '..', 'iid2'), 'utf8');
    expect(fresh).not.toBe(cached);
  });

  itIf(skip)('.dockerignore: ignored files are not in the image, exceptions bring files back', async () => {
    const dir = makeContext({
      Dockerfile: 'FROM bb\nCOPY . /c\nRUN find /c | sort > /list',
      'keep.md': 'k',
      'docs/a.md': 'a',
      'docs/keep/b.md': 'b',
      'build/out.o': 'o',
      'build/keep.txt': 'kept',
      'src/x.go': 'x',
      'src/deep/y.go': 'y',
      '.dockerignore': '# comment\n**/*.md\n!keep.md\nbuild\n!build/keep.txt\nsrc/**/y.go\n',
    });
    try {
      const r = await build(t, ['-t', 'ignore:1', dir]);
      expect(r.exitCode, r.stderr).toBe(0);
      const run = await berth(t, ['run', '--rm', 'ignore:1', 'cat', '/list']);
      expect(run.stdout.split('\n').filter(Boolean)).toEqual([
        '/c',
        '/c/.dockerignore',
        '/c/Dockerfile',
        '/c/build',
        '/c/build/keep.txt',
        '/c/docs',
        '/c/docs/keep',
        '/c/keep.md',
        '/c/src',
        '/c/src/deep',
        '/c/src/x.go',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  itIf(skip)('system df shows the cache; builder prune empties it and takes the layers only it kept', async () => {
    const df = (await berth(t, ['system', 'df', '--format', '{{.Type}}|{{.TotalCount}}'])).stdout;
    const count = Number(/Build Cache\|(\d+)/.exec(df)![1]);
    expect(count).toBeGreaterThan(5);
    const v = (await berth(t, ['system', 'df', '-v'])).stdout;
    expect(v).toMatch(/Build cache usage: \d/);
    expect(v).toMatch(/CACHE ID\s+CACHE TYPE\s+SIZE\s+CREATED\s+LAST USED\s+USAGE\s+SHARED/);
    expect(v).toMatch(/\n[a-f0-9]{12}\s+regular\s+/);

    // dangling only: records whose layers an image has stay; those of removed images go
    expect((await berth(t, ['image', 'prune', '-f'])).exitCode).toBe(0);
    const dangling = await berth(t, ['builder', 'prune', '-f']);
    expect(dangling.exitCode, dangling.stderr).toBe(0);
    expect(dangling.stdout).toMatch(/^Deleted build cache objects:\n([a-f0-9]{25}\n)+\nTotal reclaimed space: \d/);
    expect(dangling.stdout).not.toMatch(/reclaimed space: 0B/);

    // everything; then with the images gone, their layers go too
    expect((await berth(t, ['builder', 'prune', '-a', '-f'])).exitCode).toBe(0);
    expect((await berth(t, ['system', 'df', '--format', '{{.Type}}|{{.TotalCount}}'])).stdout).toContain(
      'Build Cache|0',
    );
    for (const tag of ['cache:1', 'cache:2', 'ignore:1']) await berth(t, ['rmi', '-f', tag]);
    await berth(t, ['image', 'prune', '-a', '-f']);
    await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')]);
    const check = await berth(t, ['system', 'check']);
    expect(check.stdout, check.stdout).not.toMatch(/unreferenced|missing/i);
    expect(readdirSync(join(t.root, 'layers'))).toHaveLength(1);
    const again = await build(t, [ctx]);
    expect(cachedSteps(again.stderr)).toEqual([]);
  });

  itIf(skip)("the cache is the engine's: a build through the Backend uses what the CLI recorded", async () => {
    const b = new EmbeddedBackend({ root: t.root, runroot: t.runroot });
    try {
      const names: string[] = [];
      for await (const m of b.buildImage({
        context: { source: { kind: 'dir', path: ctx } },
        tags: [],
        buildArgs: new Map(),
        network: 'none',
      })) {
        const a = m.aux as { vertexes?: { name: string; cached?: boolean; completed?: string }[] } | undefined;
        for (const v of a?.vertexes ?? []) if (v.cached) names.push(v.name);
      }
      expect(names).toContain('[stage-1 4/4] COPY . /all');
    } finally {
      await b.close();
    }
  });
});
