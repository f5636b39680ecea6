/**
 * COPY from the context and from a stage as the layer gets it: the bytes,
 * modes, owners (root's, also in a set-group-ID directory), links and
 * extended attributes the cache key covered (the checksum
 * reads each file once and the copy writes what it read; large files are
 * read again), and COPY --exclude, whose files are in neither the key nor
 * the layer (they were in the layer before: a change to an excluded file
 * kept a cache entry whose layer held the old file). The files a COPY
 * keeps in memory until its tar is written are on the disk as the tar has
 * them (owner in a set-group-ID directory, mode, times).
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect } from 'vitest';
import { native } from '../../src/engine/native.js';
import { readTar } from '../../src/engine/tar/reader.js';
import type { TarHeader } from '../../src/engine/tar/header.js';
import { berth, berthBytes, describeIf, fixture, itIf, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { build, cachedSteps, contexts, ranSteps } from '../helpers/build.js';

const skip = skipReason();
let t: TempRoot;
const dirs = contexts();

interface LayerEntry {
  header: TarHeader;
  body: Buffer;
}

/** The entries of each layer of a saved image, by name (without a trailing slash). */
async function layersOf(tag: string): Promise<Map<string, LayerEntry>[]> {
  const saved = await berthBytes(t, ['save', tag]);
  expect(saved.exitCode).toBe(0);
  const files = new Map<string, Buffer>();
  for await (const e of readTar(Readable.from([saved.stdout])))
    if (e.header.type === 'file') files.set(e.header.name, await e.buffer());
  const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { Layers: string[] }[];
  const out: Map<string, LayerEntry>[] = [];
  for (const l of manifest[0]!.Layers) {
    const m = new Map<string, LayerEntry>();
    for await (const e of readTar(Readable.from([files.get(l)!]), { allowEmpty: true }))
      m.set(e.header.name.replace(/\/$/, ''), { header: e.header, body: await e.buffer() });
    out.push(m);
  }
  return out;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describeIf(skip)('build COPY', () => {
  beforeAll(async () => {
    t = tempRoot('berth-build-copy-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(() => {
    dirs.removeAll();
    t?.cleanup();
  });

  itIf(skip)('COPY --exclude leaves the excluded files out of the layer; a change to one keeps the cache', async () => {
    const ctx = dirs.ctx({
      Dockerfile:
        'FROM bb AS src\nCOPY . /s/\nFROM bb\nCOPY --exclude=a.txt . /x/\nCOPY --from=src --exclude=**/*.md /s /y/\n',
      'a.txt': 'a\n',
      'b.md': 'b\n',
      'sub/c.md': 'c\n',
      'sub/d.bin': 'd\n',
    });
    const r = await build(t, ['-t', 'exclude:1', ctx]);
    expect(r.exitCode, r.stderr).toBe(0);
    const layers = await layersOf('exclude:1');
    const [x, y] = layers.slice(-2).map((l) => [...l.keys()].sort());
    expect(x).toEqual(['x', 'x/Dockerfile', 'x/b.md', 'x/sub', 'x/sub/c.md', 'x/sub/d.bin']);
    expect(y).toEqual(['y', 'y/Dockerfile', 'y/a.txt', 'y/sub', 'y/sub/d.bin']);

    writeFileSync(join(ctx, 'a.txt'), 'changed\n');
    const again = await build(t, ['-t', 'exclude:1', ctx]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(cachedSteps(again.stderr)).toEqual(['[stage-1 2/3] COPY --exclude=a.txt . /x/']);
    expect(ranSteps(again.stderr)).toEqual([
      '[src 2/2] COPY . /s/',
      '[stage-1 3/3] COPY --from=src --exclude=**/*.md /s /y/',
    ]);
    const y2 = (await layersOf('exclude:1')).at(-1)!;
    expect(y2.get('y/a.txt')!.body.toString()).toBe('changed\n');
  });

  itIf(skip)(
    'the layer holds the bytes, links and attributes the key covered; a changed attribute misses',
    async () => {
      const big = randomBytes(300 * 1024); // more than a file whose bytes are kept in memory
      const ctx = dirs.ctx({
        Dockerfile: 'FROM bb\nCOPY . /c/\n',
        small: { data: 'small\n', mode: 0o640 },
        big,
        empty: '',
        h1: 'linked\n',
        l: { symlink: 'small' },
      });
      linkSync(join(ctx, 'h1'), join(ctx, 'h2'));
      native().lsetxattr(join(ctx, 'small'), 'user.note', Buffer.from('one'));
      const r = await build(t, ['-t', 'bytes:1', ctx]);
      expect(r.exitCode, r.stderr).toBe(0);
      const layer = (await layersOf('bytes:1')).at(-1)!;
      const small = layer.get('c/small')!;
      expect(small.body.toString()).toBe('small\n');
      expect((small.header.mode & 0o7777).toString(8)).toBe('640');
      expect(`${small.header.uid}:${small.header.gid}`).toBe('0:0');
      expect(small.header.xattrs.get('user.note')?.toString()).toBe('one');
      expect(sha(layer.get('c/big')!.body)).toBe(sha(big));
      expect(layer.get('c/empty')!.body.length).toBe(0);
      expect(layer.get('c/h1')!.body.toString()).toBe('linked\n');
      expect(layer.get('c/h2')!.header).toMatchObject({ type: 'link', linkname: 'c/h1' });
      expect(layer.get('c/l')!.header).toMatchObject({ type: 'symlink', linkname: 'small' });

      native().lsetxattr(join(ctx, 'small'), 'user.note', Buffer.from('two'));
      const again = await build(t, ['-t', 'bytes:1', ctx]);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(ranSteps(again.stderr)).toEqual(['[2/2] COPY . /c/']);
      const changed = (await layersOf('bytes:1')).at(-1)!;
      expect(changed.get('c/small')!.header.xattrs.get('user.note')?.toString()).toBe('two');
    },
  );

  itIf(skip)("files copied into a set-group-ID directory are root's, not the directory group's", async () => {
    const ctx = dirs.ctx({
      Dockerfile: 'FROM bb\nRUN mkdir -p /sg && chgrp 50 /sg && chmod 2775 /sg\nCOPY a.txt /sg/\nCOPY d/ /sg/sub/\n',
      'a.txt': 'a\n',
      'd/b.txt': 'b\n',
    });
    const r = await build(t, ['-t', 'setgid:1', ctx]);
    expect(r.exitCode, r.stderr).toBe(0);
    const layers = await layersOf('setgid:1');
    const owner = (l: Map<string, LayerEntry>, name: string) => {
      const h = l.get(name)!.header;
      return `${h.uid}:${h.gid}`;
    };
    expect(owner(layers.at(-2)!, 'sg/a.txt')).toBe('0:0');
    expect(owner(layers.at(-1)!, 'sg/sub/b.txt')).toBe('0:0');
  });

  itIf(skip)('a --no-cache rebuild of the same files gives the same layer', async () => {
    const ctx = dirs.ctx({ Dockerfile: 'FROM bb\nCOPY . /c/\n', 'd/a': 'a\n', 'd/b': 'b\n' });
    const one = await build(t, ['-t', 'same:1', ctx]);
    expect(one.exitCode, one.stderr).toBe(0);
    const two = await build(t, ['--no-cache', '-t', 'same:2', ctx]);
    expect(two.exitCode, two.stderr).toBe(0);
    const diffIds = async (tag: string) =>
      JSON.parse((await berth(t, ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', tag])).stdout) as string[];
    expect(await diffIds('same:2')).toEqual(await diffIds('same:1'));
    // the second build wrote none of its files: the layer's tree is the first build's, whole
    const cat = await berth(t, ['run', '--rm', '--network', 'none', 'same:2', 'cat', '/c/d/a', '/c/d/b']);
    expect(cat.stdout).toBe('a\nb\n');
    const check = await berth(t, ['system', 'check']);
    expect(check.stdout, check.stdout).not.toMatch(/unreferenced|missing/i);
  });

  itIf(skip)('the tree a container sees is what the layer tar says, for files written after the tar', async () => {
    const ctx = dirs.ctx({
      Dockerfile: [
        'FROM bb AS s',
        'RUN mkdir -p /s/sg/sub && cd /s && echo f > sg/f && echo g > sg/sub/g && chmod 640 sg/f',
        'RUN cd /s && touch -d "2001-02-03 04:05:06" sg/f sg/sub/g sg/sub && chgrp 50 sg && chmod 2775 sg',
        'FROM bb',
        'COPY --from=s /s /s',
        'COPY a.txt b.txt /two/',
        'COPY c.txt /bin/',
        '',
      ].join('\n'),
      'a.txt': { data: 'a\n', mode: 0o604 },
      'b.txt': 'b\n',
      'c.txt': 'c\n',
    });
    const began = Math.floor(Date.now() / 1000);
    const r = await build(t, ['-t', 'written:1', ctx]);
    expect(r.exitCode, r.stderr).toBe(0);
    const layers = await layersOf('written:1');
    const names = ['s/sg', 's/sg/f', 's/sg/sub', 's/sg/sub/g', 'two/a.txt', 'two/b.txt', 'bin', 'bin/c.txt'];
    const fromTar = names.map((n) => {
      const h = layers
        .slice(-3)
        .find((l) => l.has(n))!
        .get(n)!.header;
      return `/${n} ${h.uid}:${h.gid} ${(h.mode & 0o7777).toString(8)} ${h.mtime}`;
    });
    expect(fromTar[0]).toMatch(/^\/s\/sg 0:50 2775 \d+$/);
    expect(fromTar).toContain('/s/sg/f 0:0 640 981173106');
    // a directory copied up from below has the time a file made in it gave it, as docker's has
    expect(Number(fromTar[6]!.split(' ')[3])).toBeGreaterThanOrEqual(began);
    const seen = await berth(t, [
      'run',
      '--rm',
      '--network',
      'none',
      'written:1',
      'busybox',
      'stat',
      '-c',
      '%n %u:%g %a %Y',
      ...names.map((n) => `/${n}`),
    ]);
    expect(seen.exitCode, seen.stderr).toBe(0);
    expect(seen.stdout.trim().split('\n')).toEqual(fromTar);
  });
});
