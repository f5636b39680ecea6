/**
 * Bad archives fail with one clear line and leave nothing behind: no image,
 * tag, blob, layer tree or scratch file; a kill -9 mid-load is swept at the
 * next start; two processes loading and tagging on one root at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, expect, it } from 'vitest';
import { CLI, berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { imageArchive, sha, tarBuffer } from '../helpers/archives.js';
import { BB_ID, DIFF, V1_ID } from '../helpers/facts.js';
import { until } from '../helpers/engine.js';
import { Engine } from '../../src/engine/engine.js';

const reason = skipReason();

function storeListing(t: TempRoot) {
  const ls = (d: string) => {
    try {
      return readdirSync(join(t.root, d)).sort();
    } catch {
      return [];
    }
  };
  return { blobs: ls('blobs/sha256'), layers: ls('layers'), tmp: ls('tmp') };
}

describeIf(reason)('bad archives leave nothing behind', () => {
  let t: TempRoot;
  let before: ReturnType<typeof storeListing>;
  const roots: TempRoot[] = [];
  beforeEach(async () => {
    t = tempRoot();
    roots.push(t);
    await berth(t, ['load', '-q', '-i', fixture('busybox.docker-save.tar')]);
    before = storeListing(t);
  });
  afterAll(() => roots.forEach((r) => r.cleanup()));

  async function refused(archive: Buffer, message: RegExp) {
    const file = join(t.base, 'bad.tar');
    writeFileSync(file, archive);
    const r = await berth(t, ['load', '-i', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(storeListing(t)).toEqual(before);
    expect((await berth(t, ['images', '-a', '--format', '{{.ID}}'])).stdout).toBe('6aa4265b18c5\n');
  }

  const goodLayer = () => tarBuffer([{ h: { name: 'hello.txt', type: 'file' }, data: 'hi\n' }]);

  it('a layer whose content does not match its DiffID', async () => {
    const layer = await goodLayer();
    await refused(await imageArchive([layer], { diffIds: ['sha256:' + '1'.repeat(64)] }), /DiffID mismatch/);
  });

  it('a layer that climbs out with ..', async () => {
    const layer = await tarBuffer([{ h: { name: '../../../../tmp/berth-escape', type: 'file' }, data: 'x' }]);
    await refused(await imageArchive([layer]), /points outside the layer/);
  });

  it('a layer that escapes through a symlink, and a hard link out', async () => {
    const l1 = await tarBuffer([
      { h: { name: 'etc', type: 'symlink', linkname: '/etc' } },
      { h: { name: 'etc/evil', type: 'file' }, data: 'x' },
    ]);
    await refused(await imageArchive([l1]), /symbolic link/);
    const l2 = await tarBuffer([{ h: { name: 'shadow', type: 'link', linkname: '/etc/shadow' } }]);
    await refused(await imageArchive([l2]), /does not contain/);
  });

  it('truncated archives, at several points', async () => {
    const whole = readFileSync(fixture('layers.docker-save.tar'));
    for (const cut of [1000, 1_000_000, whole.length - 3000]) {
      await refused(whole.subarray(0, cut), /truncated|missing|not a valid/);
    }
  });

  it('garbage, an empty input, and a tar that is not an image', async () => {
    await refused(Buffer.alloc(5000, 0x42), /not a tar archive|not a valid tar/);
    await refused(Buffer.alloc(0), /empty/);
    await refused(
      await tarBuffer([{ h: { name: 'readme', type: 'file' }, data: 'hi' }]),
      /neither manifest.json nor index.json/,
    );
  });

  it('a manifest pointing at a missing layer or config', async () => {
    const layer = await goodLayer();
    const cfg = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
    const noLayer = await tarBuffer([
      { h: { name: `blobs/sha256/${sha(cfg).slice(7)}`, type: 'file' }, data: cfg },
      {
        h: { name: 'manifest.json', type: 'file' },
        data: JSON.stringify([{ Config: `blobs/sha256/${sha(cfg).slice(7)}`, Layers: ['blobs/sha256/nothere'] }]),
      },
    ]);
    await refused(noLayer, /missing layer blobs\/sha256\/nothere/);
    const noConfig = await tarBuffer([
      { h: { name: 'manifest.json', type: 'file' }, data: '[{"Config":"x.json","Layers":[]}]' },
    ]);
    await refused(noConfig, /missing image config x.json/);
    await refused(await tarBuffer([{ h: { name: 'manifest.json', type: 'file' }, data: '{oops' }]), /not valid JSON/);
  });

  it('a compressed archive that is corrupt', async () => {
    const { gzipSync } = await import('node:zlib');
    const gz = gzipSync(readFileSync(fixture('busybox.docker-save.tar')));
    await refused(gz.subarray(0, gz.length / 2), /truncated|corrupt/);
  });

  it('a good archive made by the same helper loads (the helper is not broken)', async () => {
    const file = join(t.base, 'good.tar');
    writeFileSync(file, await imageArchive([await goodLayer()]));
    const r = await berth(t, ['load', '-i', file]);
    expect(r.stdout).toBe('Loaded image: test/img:1\n');
  });
});

describeIf(reason)('crashes and concurrency', () => {
  const roots: TempRoot[] = [];
  afterAll(() => roots.forEach((r) => r.cleanup()));

  /** The scratch directory a loading process works in, once it exists. */
  const scratchOf = (t: TempRoot, pid: number) => {
    try {
      const name = readdirSync(join(t.root, 'tmp')).find((n) => n.startsWith(`w-${pid}-load-`));
      return name ? join(t.root, 'tmp', name) : null;
    } catch {
      return null;
    }
  };
  const count = (dir: string) => {
    try {
      return readdirSync(dir).length;
    } catch {
      return 0;
    }
  };
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return -1;
    }
  };

  it('kill -9 in the middle of a load leaves nothing visible, and the next start sweeps', async () => {
    const t = tempRoot();
    roots.push(t);
    const files = 200;
    const layer = await tarBuffer(
      Array.from({ length: files }, (_, i) => ({
        h: { name: `f/${i}`, type: 'file' as const },
        data: Buffer.alloc(20_000, i % 251),
      })),
    );
    const archive = await imageArchive([layer], { tag: 'big:1' });
    // The archive is fed through stdin, so the loader is exactly where the
    // test wants it when killed: halfway through unpacking the layer, then
    // with the layer complete but the manifest not yet read.
    const manifestHeader = archive.indexOf(Buffer.from('manifest.json')); // the entry right after the layer
    expect(manifestHeader % 512).toBe(0);
    const points: [string, number, (scratch: string) => boolean][] = [
      ['mid-layer', Math.floor(archive.length / 2), (d) => count(join(d, 'layer-0', 'diff', 'f')) >= files / 4],
      ['before the manifest', manifestHeader, (d) => size(join(d, 'blob-0')) === layer.length],
    ];
    for (const [where, cut, reached] of points) {
      const child = spawn('node', [CLI, 'load'], {
        env: { ...process.env, ...t.env },
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
      child.stdin.on('error', () => undefined); // the pipe breaks when the child dies
      child.stdin.write(archive.subarray(0, cut));
      await until(() => {
        if (child.exitCode !== null)
          throw new Error(`the loader exited (${child.exitCode}) before it got ${where}: ${stderr}`);
        const d = scratchOf(t, child.pid!);
        return d !== null && reached(d);
      }, 50_000);
      child.kill('SIGKILL');
      expect(await exited, where).toBe('SIGKILL');
      const left = storeListing(t);
      expect(left.tmp, where).toHaveLength(1); // the dead loader's scratch space, not yet swept
      expect(left.layers, where).toEqual([]);
      // the next start sweeps it, and nothing of the image is visible
      const e = Engine.open({ root: t.root, runroot: t.runroot });
      try {
        expect(e.listImages({ all: true }), where).toEqual([]);
        expect(storeListing(t), where).toEqual({ blobs: [], layers: [], tmp: [] });
        expect(e.checkStore()).toMatchObject({
          unreferencedBlobs: [],
          unreferencedLayers: [],
          missingBlobs: [],
          missingLayers: [],
        });
      } finally {
        e.close();
      }
    }
    // and the same archive then loads whole
    expect((await berth(t, ['load'], { input: archive })).stdout).toBe('Loaded image: big:1\n');
  });

  it('a layer tree moved into place by a process that died before committing is swept at the next start', async () => {
    const t = tempRoot();
    roots.push(t);
    await berth(t, ['load', '-q', '-i', fixture('busybox.docker-save.tar')]);
    // what a loader killed between renaming a tree into layers/ and its commit leaves
    const dead = spawnSync('true').pid!;
    mkdirSync(join(t.root, 'tmp', `w-${dead}-load-0123456789ab`, 'layer-1', 'diff'), { recursive: true });
    mkdirSync(join(t.root, 'layers', 'c'.repeat(64), 'diff'), { recursive: true });
    writeFileSync(join(t.root, 'layers', 'c'.repeat(64), 'diff', 'x'), 'half');
    const e = Engine.open({ root: t.root, runroot: t.runroot });
    try {
      expect(storeListing(t).tmp).toEqual([]);
      expect(storeListing(t).layers).toEqual([DIFF[0]!.slice(7)]);
      expect(e.listImages().map((i) => i.Id)).toEqual([BB_ID]);
    } finally {
      e.close();
    }
  });

  it('two processes loading and tagging the same root at once', async () => {
    const t = tempRoot();
    roots.push(t);
    const runs = await Promise.all([
      berth(t, ['load', '-i', fixture('layers.docker-save.tar')]),
      berth(t, ['load', '-i', fixture('layers.podman-save.tar')]),
      berth(t, ['load', '-i', fixture('layers.docker-save.tar.gz')]),
      berth(t, ['load', '-i', fixture('busybox.docker-save.tar')]),
    ]);
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    const tags = await Promise.all(
      Array.from({ length: 8 }, (_, i) => berth(t, ['tag', i % 2 ? 'bb' : 'bb-layers:v1', `many:${i}`])),
    );
    for (const r of tags) expect(r.exitCode, r.stderr).toBe(0);
    const q = (await berth(t, ['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout;
    for (let i = 0; i < 8; i++) expect(q).toContain(`many:${i} ${i % 2 ? BB_ID : V1_ID}`);
    expect((await berth(t, ['system', 'check'])).stdout).toBe('The store is consistent.\n');
    expect(readdirSync(join(t.root, 'layers'))).toHaveLength(3);
  });
});
