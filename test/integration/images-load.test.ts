/** Loading every archive format into a real store, and what the image commands then show. */
import { createReadStream, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { BB_ID, DIFF, OCI_CONFIG_ID, V0_ID, V1_ID } from '../helpers/facts.js';
import { Engine } from '../../src/engine/engine.js';
import { chainIds } from '../../src/engine/layer/chain.js';
import { readTar } from '../../src/engine/tar/reader.js';
import { docker25Archive, imageArchive, sha, tarBuffer, type Item } from '../helpers/archives.js';

async function* oneChunk(b: Buffer) {
  yield b;
}

const reason = skipReason();

describeIf(reason)('loading archives written by docker, podman and skopeo', () => {
  const roots: TempRoot[] = [];
  const fresh = () => {
    const t = tempRoot();
    roots.push(t);
    return t;
  };
  afterAll(() => roots.forEach((r) => r.cleanup()));

  it('docker 20.10 save of three images (layer.tar symlinks)', async () => {
    const t = fresh();
    const r = await berth(t, ['load', '-i', fixture('layers.docker-save.tar')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      'Loaded image: bb-layers:v1\nLoaded image: bb-layers:latest\nLoaded image: bb-layers:v0\nLoaded image: bb:latest\n',
    );
    const ids = (await berth(t, ['images', '-q', '--no-trunc'])).stdout.trim().split('\n').sort();
    expect(ids).toEqual([V0_ID, V1_ID, V1_ID, BB_ID].sort());
    const e = Engine.open({ root: t.root, runroot: t.runroot });
    try {
      expect(e.inspectImage('bb-layers:v1')).toMatchObject({
        Id: V1_ID,
        RepoTags: ['bb-layers:latest', 'bb-layers:v1'], // docker's lexical order
        Parent: V0_ID,
        Author: 'fixture maker',
        Config: {
          Env: ['FOO=bar'],
          Cmd: ['httpd', '-f', '-p', '8080', '-h', '/var/www'],
          WorkingDir: '/data',
          ExposedPorts: { '8080/tcp': {} },
          Labels: { 'org.example.fixture': 'layers' },
        },
        RootFS: { Type: 'layers', Layers: DIFF },
        Architecture: 'amd64',
        Os: 'linux',
      });
      expect(e.inspectImage('bb:latest')).toMatchObject({ Id: BB_ID, RootFS: { Layers: [DIFF[0]] } });
      expect(e.inspectImage('bb-layers:v0')).toMatchObject({ Id: V0_ID, RootFS: { Layers: DIFF.slice(0, 2) } });
      const h = e.imageHistory('bb-layers:v1');
      expect(h.map((x) => x.Comment)).toEqual([
        'layer three: opaque dir, modified file',
        'layer two: files, links, a deletion',
        'Imported from -',
      ]);
      expect(h.map((x) => x.Id)).toEqual([V1_ID, V0_ID, BB_ID]);
      // one tree per chain, shared by the three images
      expect(readdirSync(join(t.root, 'layers'))).toHaveLength(3);
    } finally {
      e.close();
    }
  });

  it.each([
    ['busybox.docker-save.tar', ['bb:latest'], BB_ID],
    ['layers.docker-save.tar.gz', ['bb-layers:v1'], V1_ID],
    ['layers.podman-save.tar', ['localhost/bb-layers:v1'], V1_ID],
    ['layers.oci-archive.tar', ['localhost/bb-layers:v1'], OCI_CONFIG_ID],
  ])('%s', async (file, tags, id) => {
    const t = fresh();
    const r = await berth(t, ['load', '-q', '-i', fixture(file)]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(tags.map((x) => `Loaded image: ${x}\n`).join(''));
    const out = await berth(t, ['inspect', '-f', '{{.Id}} {{json .RootFS.Layers}}', tags[0]!]);
    expect(out.stdout.trim()).toBe(`${id} ${JSON.stringify(file.startsWith('busybox') ? [DIFF[0]] : DIFF)}`);
  });

  it('reads from stdin, and whole-archive gzip, bzip2, xz and zstd', async () => {
    const { execFileSync } = await import('node:child_process');
    const plain = readFileSync(fixture('busybox.docker-save.tar'));
    for (const [tool, args] of [
      ['gzip', ['-c']],
      ['bzip2', ['-c']],
      ['xz', ['-c', '-T1']],
      ['zstd', ['-c', '-q']],
    ] as const) {
      const t = fresh();
      const packed = execFileSync(tool, [...args], { input: plain, maxBuffer: 1 << 26 });
      const r = await berth(t, ['load'], { input: packed });
      expect(r.stdout, tool).toBe('Loaded image: bb:latest\n');
    }
    const t = fresh();
    const r = await berth(t, ['load'], { inputFile: fixture('layers.podman-save.tar') });
    expect(r.stdout).toBe('Loaded image: localhost/bb-layers:v1\n');
  });

  it('loading again is idempotent and reports a moved tag as docker does', async () => {
    const t = fresh();
    await berth(t, ['load', '-i', fixture('layers.docker-save.tar')]);
    await berth(t, ['tag', 'bb:latest', 'bb-layers:v0']);
    const r = await berth(t, ['load', '-i', fixture('layers.docker-save.tar')]);
    expect(r.stdout).toContain(
      `The image bb-layers:v0 already exists, renaming the old one with ID ${BB_ID} to empty string`,
    );
    expect((await berth(t, ['images', '-q'])).stdout.split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('the layout docker 25 and later write (blobs/sha256, manifest.json and index.json), and the same read as an OCI layout', async () => {
    const l1 = await tarBuffer([
      { h: { name: 'etc/', type: 'dir' } },
      { h: { name: 'etc/hello', type: 'file' }, data: 'one\n' },
    ]);
    const l2 = await tarBuffer([
      { h: { name: 'etc/.wh.hello', type: 'file' }, data: '' },
      { h: { name: 'etc/two', type: 'file' }, data: 'two\n' },
    ]);
    const { archive, id } = await docker25Archive([l1, l2], 'berth/d25:1', 'docker.io/berth/d25:1');
    const t = fresh();
    expect((await berth(t, ['load'], { input: archive })).stdout).toBe('Loaded image: berth/d25:1\n');
    expect((await berth(t, ['inspect', '-f', '{{.Id}} {{json .RootFS.Layers}}', 'berth/d25:1'])).stdout).toBe(
      `${id} ${JSON.stringify([sha(l1), sha(l2)])}\n`,
    );
    const top = join(t.root, 'layers', chainIds([sha(l1), sha(l2)])[1]!.slice(7), 'diff');
    expect(lstatSync(join(top, 'etc/hello')).isCharacterDevice()).toBe(true); // the whiteout, in overlay form
    expect(readFileSync(join(top, 'etc/two'), 'utf8')).toBe('two\n');
    // without manifest.json the OCI index names the image (containerd's annotation)
    const entries: Item[] = [];
    for await (const e of readTar(oneChunk(archive))) {
      if (e.header.name !== 'manifest.json')
        entries.push({ h: e.header, ...(e.header.type === 'file' ? { data: await e.buffer() } : {}) });
    }
    const t2 = fresh();
    expect((await berth(t2, ['load'], { input: await tarBuffer(entries) })).stdout).toBe('Loaded image: berth/d25:1\n');
    expect((await berth(t2, ['images', '--no-trunc', '-q'])).stdout).toBe(`${id}\n`);
  });

  it('a layer whose first entry looks like JSON, and an empty layer file, as docker takes them', async () => {
    const jsonish = await tarBuffer([
      { h: { name: '[x]', type: 'file' }, data: 'a' },
      { h: { name: '{y}', type: 'file' }, data: 'b' },
    ]);
    const t = fresh();
    const r = await berth(t, ['load'], { input: await imageArchive([jsonish, Buffer.alloc(0)], { tag: 'odd:1' }) });
    expect([r.stderr, r.stdout]).toEqual(['', 'Loaded image: odd:1\n']);
    const i = JSON.parse((await berth(t, ['inspect', 'odd:1'])).stdout)[0];
    expect(i.RootFS.Layers).toEqual([
      sha(jsonish),
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ]);
    expect(readFileSync(join(t.root, 'layers', sha(jsonish).slice(7), 'diff', '[x]'), 'utf8')).toBe('a');
  });

  it('an Engine reads a Readable directly', async () => {
    const t = fresh();
    const e = Engine.open({ root: t.root, runroot: t.runroot });
    try {
      const rep = await e.loadImages(createReadStream(fixture('busybox.docker-save.tar')));
      expect(rep.images).toEqual([{ id: BB_ID, tags: ['bb:latest'] }]);
    } finally {
      e.close();
    }
  });
});
