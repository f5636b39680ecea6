/**
 * Unpacking layers into overlay form (needs root: whiteouts are device
 * nodes, opaque markers are trusted.* xattrs, and the tree is checked under
 * a real overlay mount).
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackLayer } from '../../src/engine/layer/unpack.js';
import { native } from '../../src/engine/native.js';
import { newHeader, type TarHeader } from '../../src/engine/tar/header.js';
import { TarWriter } from '../../src/engine/tar/writer.js';
import { describeIf, fixture, skipReason } from '../helpers/env.js';

const reason = skipReason();

async function tarOf(items: { h: Partial<TarHeader> & { name: string; type: TarHeader['type'] }; data?: string }[]) {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (c: Buffer) => parts.push(c));
  const w = new TarWriter(out);
  for (const it of items) {
    const data = it.data !== undefined ? Buffer.from(it.data) : undefined;
    await w.add(newHeader({ ...it.h, size: data?.length ?? 0 }), data);
  }
  await w.finish();
  return Buffer.concat(parts);
}

async function* once(b: Buffer) {
  yield b;
}

describeIf(reason)('unpacking layers into overlay form', () => {
  let base: string;
  let layers: string[];
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'berth-unpack-'));
    const src = join(base, 'archive');
    mkdirSync(src);
    execFileSync('tar', ['-xf', fixture('layers.docker-save.tar'), '-C', src]);
    const manifest = JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8'));
    const v1 = manifest.find((m: { RepoTags: string[] }) => m.RepoTags.includes('bb-layers:v1'));
    layers = v1.Layers.map((l: string) => join(src, l));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  async function unpackFixture(i: number): Promise<{ dir: string; size: number }> {
    const dir = join(base, `layer${i}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const { size } = await unpackLayer(once(readFileSync(layers[i]!)), dir);
    return { dir, size };
  }

  it('layer two: whiteout as a 0/0 char device, hard link, symlink', async () => {
    const { dir, size } = await unpackFixture(1);
    const wc = lstatSync(join(dir, 'bin/wc'));
    expect(wc.isCharacterDevice()).toBe(true);
    expect(wc.rdev).toBe(0);
    expect(lstatSync(join(dir, 'data/a.txt')).ino).toBe(lstatSync(join(dir, 'data/hard.txt')).ino);
    expect(readlinkSync(join(dir, 'data/link'))).toBe('/data/a.txt');
    expect(readFileSync(join(dir, 'data/sub/old'), 'utf8')).toBe('keep\n');
    expect(size).toBe(54); // docker's history shows 54B for this layer
  });

  it('layer three: opaque directory marker as trusted.overlay.opaque', async () => {
    const { dir, size } = await unpackFixture(2);
    expect(native().lgetxattr(join(dir, 'data/sub'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    expect(existsSync(join(dir, 'data/sub/.wh..wh..opq'))).toBe(false);
    expect(readFileSync(join(dir, 'data/sub/n'), 'utf8')).toBe('new\n');
    expect(size).toBe(12);
  });

  it('stacked under overlayfs they show what a bb-layers:v1 container sees', async () => {
    const dirs = [];
    for (let i = 0; i < 3; i++) dirs.push((await unpackFixture(i)).dir);
    const m = join(base, 'merged');
    mkdirSync(m, { recursive: true });
    native().mount('overlay', m, 'overlay', 0, `lowerdir=${[...dirs].reverse().join(':')}`);
    try {
      expect(readFileSync(join(m, 'data/a.txt'), 'utf8')).toBe('changed\n');
      expect(readFileSync(join(m, 'data/hard.txt'), 'utf8')).toBe('one\n');
      expect(readlinkSync(join(m, 'data/link'))).toBe('/data/a.txt');
      expect(readdirSync(join(m, 'data/sub'))).toEqual(['n']);
      expect(existsSync(join(m, 'bin/wc'))).toBe(false);
      expect(statSync(join(m, 'bin/busybox')).isFile()).toBe(true);
    } finally {
      native().umount(m);
    }
  });

  describe('hostile layers are refused or contained', () => {
    let outside: string;
    let target: string;
    beforeAll(() => {
      outside = join(base, 'outside');
      mkdirSync(outside, { recursive: true });
    });
    const fresh = () => {
      target = mkdtempSync(join(base, 'target-'));
      return target;
    };
    const outsideUnchanged = () => expect(readdirSync(outside)).toEqual([]);

    it('".." that climbs out', async () => {
      const t = await tarOf([{ h: { name: '../outside/evil', type: 'file' }, data: 'x' }]);
      await expect(unpackLayer(once(t), fresh())).rejects.toThrow(/points outside the layer/);
      outsideUnchanged();
    });

    it('absolute names stay inside', async () => {
      const dir = fresh();
      const t = await tarOf([{ h: { name: '/etc/evil', type: 'file' }, data: 'x' }]);
      await unpackLayer(once(t), dir);
      expect(readFileSync(join(dir, 'etc/evil'), 'utf8')).toBe('x');
      outsideUnchanged();
    });

    it('a symlink used as a parent directory', async () => {
      const t = await tarOf([
        { h: { name: 'esc', type: 'symlink', linkname: outside } },
        { h: { name: 'esc/evil', type: 'file' }, data: 'x' },
      ]);
      await expect(unpackLayer(once(t), fresh())).rejects.toThrow(/passes through the symbolic link "esc"/);
      outsideUnchanged();
    });

    it('a relative symlink used as a parent directory', async () => {
      const t = await tarOf([
        { h: { name: 'a', type: 'dir' } },
        { h: { name: 'a/up', type: 'symlink', linkname: '../../outside' } },
        { h: { name: 'a/up/evil', type: 'file' }, data: 'x' },
      ]);
      await expect(unpackLayer(once(t), fresh())).rejects.toThrow(/symbolic link/);
      outsideUnchanged();
    });

    it('hard links out of the layer or to missing targets', async () => {
      const t1 = await tarOf([{ h: { name: 'pw', type: 'link', linkname: '../../../../etc/passwd' } }]);
      await expect(unpackLayer(once(t1), fresh())).rejects.toThrow(/outside the layer/);
      const t2 = await tarOf([{ h: { name: 'pw', type: 'link', linkname: '/etc/passwd' } }]);
      await expect(unpackLayer(once(t2), fresh())).rejects.toThrow(/does not contain/);
      const t3 = await tarOf([
        { h: { name: 'esc', type: 'symlink', linkname: '/etc' } },
        { h: { name: 'pw', type: 'link', linkname: 'esc/passwd' } },
      ]);
      await expect(unpackLayer(once(t3), fresh())).rejects.toThrow(/does not contain/);
      outsideUnchanged();
    });

    it('a symlink replaced by a directory is not followed', async () => {
      const dir = fresh();
      const t = await tarOf([
        { h: { name: 'x', type: 'symlink', linkname: outside } },
        { h: { name: 'x', type: 'dir' } },
        { h: { name: 'x/f', type: 'file' }, data: 'in' },
      ]);
      await unpackLayer(once(t), dir);
      expect(lstatSync(join(dir, 'x')).isDirectory()).toBe(true);
      outsideUnchanged();
    });

    it('truncated and garbage layers', async () => {
      const t = await tarOf([{ h: { name: 'big', type: 'file' }, data: 'y'.repeat(5000) }]);
      for (const cut of [200, 700, 3000]) {
        await expect(unpackLayer(once(t.subarray(0, cut)), fresh())).rejects.toThrow(/truncated/);
      }
      await expect(unpackLayer(once(Buffer.alloc(4096, 0x5a)), fresh())).rejects.toThrow(/not a tar archive|checksum/);
      outsideUnchanged();
    });

    it('whiteouts that name "." or ".." or nothing are refused, with the entry named', async () => {
      for (const name of ['d/.wh...', 'd/.wh..', '.wh...', 'd/.wh.']) {
        const t = await tarOf([{ h: { name, type: 'file' }, data: '' }]);
        await expect(unpackLayer(once(t), fresh()), name).rejects.toThrow(`layer entry "${name}" whites out`);
      }
      outsideUnchanged();
    });

    it('an empty input is an empty layer, as docker takes an empty layer.tar', async () => {
      const dir = fresh();
      expect(await unpackLayer(once(Buffer.alloc(0)), dir)).toEqual({ size: 0, entries: 0 });
      expect(readdirSync(dir)).toEqual([]);
    });

    it('keeps long names (PAX) and extended attributes', async () => {
      const dir = fresh();
      const long = `${'deep/'.repeat(30)}${'n'.repeat(120)}`;
      const cap = Buffer.from('0100000200000000000000000000000000000000', 'hex');
      const t = await tarOf([
        {
          h: {
            name: long,
            type: 'file',
            xattrs: new Map([
              ['user.note', Buffer.from('hi')],
              ['security.capability', cap],
            ]),
          },
          data: 'x',
        },
      ]);
      await unpackLayer(once(t), dir);
      expect(readFileSync(join(dir, long), 'utf8')).toBe('x');
      expect(native().lgetxattr(join(dir, long), 'user.note')?.toString()).toBe('hi');
      expect(native().lgetxattr(join(dir, long), 'security.capability')).toEqual(cap);
    });

    it('device nodes and fifos are created as root', async () => {
      const dir = fresh();
      const t = await tarOf([
        { h: { name: 'null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 } },
        { h: { name: 'p', type: 'fifo', mode: 0o600 } },
      ]);
      await unpackLayer(once(t), dir);
      expect(lstatSync(join(dir, 'null')).isCharacterDevice()).toBe(true);
      expect(lstatSync(join(dir, 'p')).isFIFO()).toBe(true);
    });

    it('keeps setuid bits, owners and mtimes', async () => {
      const dir = fresh();
      const t = await tarOf([
        { h: { name: 'd', type: 'dir', mode: 0o750, uid: 7, gid: 8, mtime: 1000 } },
        { h: { name: 'd/s', type: 'file', mode: 0o4755, uid: 7, gid: 8, mtime: 2000 }, data: 'x' },
      ]);
      await unpackLayer(once(t), dir);
      const s = statSync(join(dir, 'd/s'));
      expect(s.mode & 0o7777).toBe(0o4755);
      expect([s.uid, s.gid, s.mtimeMs]).toEqual([7, 8, 2000_000]);
      expect(statSync(join(dir, 'd')).mtimeMs).toBe(1000_000);
    });

    it('a directory replaced by a symbolic link after files were made in it: nothing lands outside', async () => {
      const files = Array.from({ length: 256 }, (_, i) => ({
        h: { name: `d/f${i}`, type: 'file' as const, mode: 0o644 },
        data: `file ${i}`,
      }));
      const t = await tarOf([
        { h: { name: 'd', type: 'dir' } },
        ...files,
        { h: { name: 'd', type: 'symlink', linkname: outside } },
        ...files.slice(0, 8).map((f) => ({ ...f, h: { ...f.h, name: f.h.name.replace('d/', 'e/') } })),
      ]);
      const dir = fresh();
      await unpackLayer(once(t), dir);
      outsideUnchanged();
      expect(lstatSync(join(dir, 'd')).isSymbolicLink()).toBe(true);
      expect(readdirSync(join(dir, 'e')).length).toBe(8);
    });

    // small files are written in batches on libuv's pool (layer/file-batches.ts) while the tar is read on:
    // an entry that replaces, links to or whites out a file still in flight must find it written first
    it('files still being written in batches are replaced, linked to and whited out in order', async () => {
      const files = Array.from({ length: 1200 }, (_, i) => ({
        h: { name: `d/f${i}`, type: 'file' as const, mode: 0o640, mtime: 5000 + i },
        data: `file ${i}\n`.repeat(1 + (i % 50)),
      }));
      const t = await tarOf([
        { h: { name: 'd', type: 'dir', mode: 0o755, mtime: 100 } },
        ...files,
        { h: { name: 'd/f1199', type: 'file', mode: 0o600, mtime: 9 }, data: 'replaced' },
        { h: { name: 'd/hard', type: 'link', linkname: 'd/f1198' } },
        { h: { name: 'd/f1197', type: 'dir', mode: 0o700 } },
        { h: { name: 'd/f1197/in', type: 'file', mode: 0o644 }, data: 'inside' },
        { h: { name: 'd/.wh.f1196', type: 'file', mode: 0o644 } },
        { h: { name: 'd/f1195', type: 'symlink', linkname: 'f0' } },
      ]);
      const dir = fresh();
      const { size } = await unpackLayer(once(t), dir);
      const d = join(dir, 'd');
      for (const f of files.slice(0, 1195)) {
        const p = join(dir, f.h.name);
        expect(readFileSync(p, 'utf8')).toBe(f.data);
        const s = statSync(p);
        expect([s.mode & 0o7777, s.mtimeMs]).toEqual([0o640, f.h.mtime * 1000]);
      }
      expect(readFileSync(join(d, 'f1199'), 'utf8')).toBe('replaced');
      expect(statSync(join(d, 'f1199')).mode & 0o7777).toBe(0o600);
      expect(statSync(join(d, 'hard')).ino).toBe(statSync(join(d, 'f1198')).ino);
      expect(readFileSync(join(d, 'hard'), 'utf8')).toBe(files[1198]!.data);
      expect(readFileSync(join(d, 'f1197', 'in'), 'utf8')).toBe('inside');
      const wh = lstatSync(join(d, 'f1196'));
      expect([wh.isCharacterDevice(), wh.rdev]).toEqual([true, 0]);
      expect(readlinkSync(join(d, 'f1195'))).toBe('f0');
      // the directory's time is set after every file in it was written
      expect(statSync(d).mtimeMs).toBe(100_000);
      const kept = files.slice(0, 1195).reduce((n, f) => n + f.data.length, 0);
      expect(size).toBe(kept + 'replaced'.length + files[1198]!.data.length + 'inside'.length + 2);
    });

    it('writes large files whole, with their modes and times', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'abc');
      const mid = Buffer.alloc(300 * 1024, 'xyz');
      const t = await tarOf([
        { h: { name: 'big', type: 'file', mode: 0o640, mtime: 3000 }, data: big.toString() },
        { h: { name: 'mid', type: 'file', mode: 0o600, mtime: 4000 }, data: mid.toString() },
      ]);
      const dir = fresh();
      const { size } = await unpackLayer(once(t), dir);
      expect(size).toBe(big.length + mid.length);
      expect(readFileSync(join(dir, 'big')).equals(big)).toBe(true);
      expect(readFileSync(join(dir, 'mid')).equals(mid)).toBe(true);
      const s = statSync(join(dir, 'big'));
      expect([s.mode & 0o7777, s.mtimeMs]).toEqual([0o640, 3000_000]);
    });

    // files are created with their mode and chowned only when they need it: these are the cases that do
    it("keeps root's files' modes and groups in set-group-ID directories and past the umask", async () => {
      const dir = fresh();
      const old = process.umask(0o027);
      try {
        const t = await tarOf([
          { h: { name: 'g', type: 'dir', mode: 0o2775, uid: 0, gid: 50, mtime: 1000 } },
          { h: { name: 'g/f', type: 'file', mode: 0o664, uid: 0, gid: 0, mtime: 2000 }, data: 'x' },
          // g/sub has no entry of its own: made for g/sub/f, it inherits g's set-group-ID bit
          { h: { name: 'g/sub/f', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 2000 }, data: 'y' },
          { h: { name: 'g/s', type: 'file', mode: 0o6755, uid: 0, gid: 0, mtime: 2000 }, data: 'z' },
          { h: { name: 'plain', type: 'file', mode: 0o777, uid: 0, gid: 0, mtime: 2000 }, data: 'w' },
          { h: { name: 'mine', type: 'file', mode: 0o4711, uid: 0, gid: 9, mtime: 2000 }, data: 'v' },
        ]);
        await unpackLayer(once(t), dir);
      } finally {
        process.umask(old);
      }
      const got = (p: string) => {
        const s = statSync(join(dir, p));
        return [s.mode & 0o7777, s.uid, s.gid];
      };
      expect(got('g')).toEqual([0o2775, 0, 50]);
      expect(got('g/f')).toEqual([0o664, 0, 0]);
      expect(got('g/sub/f')).toEqual([0o644, 0, 0]);
      expect(got('g/s')).toEqual([0o6755, 0, 0]);
      expect(got('plain')).toEqual([0o777, 0, 0]);
      expect(got('mine')).toEqual([0o4711, 0, 9]);
    });
  });
});
