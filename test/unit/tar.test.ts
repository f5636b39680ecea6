import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeHeader, encodeHeader, newHeader, type TarHeader } from '../../src/engine/tar/header.js';
import { readTar } from '../../src/engine/tar/reader.js';
import { TarWriter } from '../../src/engine/tar/writer.js';

async function* chunks(buf: Buffer, size: number) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function entries(buf: Buffer, chunk = 7) {
  const out: { h: TarHeader; data: Buffer }[] = [];
  for await (const e of readTar(chunks(buf, chunk))) out.push({ h: e.header, data: await e.buffer() });
  return out;
}

async function build(items: { h: TarHeader; data?: Buffer }[]): Promise<Buffer> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (c: Buffer) => parts.push(c));
  const w = new TarWriter(out);
  for (const it of items) await w.add(it.h, it.data);
  await w.finish();
  return Buffer.concat(parts);
}

const tmp = mkdtempSync(join(tmpdir(), 'berth-tar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('tar headers', () => {
  it('round-trips ustar fields', () => {
    const h = newHeader({
      name: 'a/b.txt',
      type: 'file',
      size: 5,
      mode: 0o4755,
      uid: 1000,
      gid: 50,
      mtime: 1700000000,
    });
    const raw = decodeHeader(encodeHeader(h));
    expect(raw).toMatchObject({
      name: 'a/b.txt',
      flag: '0',
      mode: 0o4755,
      uid: 1000,
      gid: 50,
      size: 5,
      mtime: 1700000000,
    });
  });
  it('detects a corrupt header', () => {
    const b = encodeHeader(newHeader({ name: 'x', type: 'file' }));
    b[0] = 0x79;
    expect(() => decodeHeader(b)).toThrow('checksum mismatch');
  });
});

describe('tar reader and writer', () => {
  it('round-trips long names, long links, binary xattrs, devices, hard links', async () => {
    const longName = 'd/' + 'x'.repeat(180) + '/ünïcode-file';
    const cap = Buffer.from([1, 0, 0, 2, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const items = [
      { h: newHeader({ name: 'd', type: 'dir', mode: 0o755 }) },
      {
        h: newHeader({ name: longName, type: 'file', size: 3, xattrs: new Map([['security.capability', cap]]) }),
        data: Buffer.from('abc'),
      },
      { h: newHeader({ name: 'link', type: 'symlink', linkname: '/' + 'y'.repeat(150) }) },
      { h: newHeader({ name: 'hard', type: 'link', linkname: longName }) },
      { h: newHeader({ name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }) },
      { h: newHeader({ name: 'big-uid', type: 'file', uid: 5_000_000, size: 0 }) },
    ];
    const tar = await build(items);
    const got = await entries(tar);
    expect(got.map((e) => e.h.name)).toEqual(['d/', longName, 'link', 'hard', 'dev/null', 'big-uid']);
    expect(got[1]!.data.toString()).toBe('abc');
    expect(got[1]!.h.xattrs.get('security.capability')).toEqual(cap);
    expect(got[2]!.h.linkname).toBe('/' + 'y'.repeat(150));
    expect(got[3]!.h.type).toBe('link');
    expect(got[4]!.h).toMatchObject({ type: 'char', devmajor: 1, devminor: 3 });
    expect(got[5]!.h.uid).toBe(5_000_000);
    // and GNU tar reads what we write
    const file = join(tmp, 'ours.tar');
    writeFileSync(file, tar);
    const listing = execFileSync('tar', ['-tvf', file, '--numeric-owner']).toString();
    expect(listing).toContain(longName);
    expect(listing).toContain('5000000');
  });

  it('reads GNU long names and PAX archives written by GNU tar', async () => {
    const dir = join(tmp, 'src');
    mkdirSync(join(dir, 'n'.repeat(120)), { recursive: true });
    writeFileSync(join(dir, 'n'.repeat(120), 'f'.repeat(110)), 'hello');
    for (const format of ['gnu', 'pax', 'ustar']) {
      if (format === 'ustar') continue; // ustar cannot hold a 110-char base name
      const file = join(tmp, `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '-cf', file, '-C', dir, '.']);
      const { readFileSync } = await import('node:fs');
      const got = await entries(readFileSync(file), 4096);
      const f = got.find((e) => e.h.name.endsWith('f'.repeat(110)));
      expect(f?.data.toString()).toBe('hello');
    }
  });

  it('reports truncation and garbage', async () => {
    const tar = await build([{ h: newHeader({ name: 'f', type: 'file', size: 2000 }), data: Buffer.alloc(2000, 1) }]);
    for (const cut of [100, 600, 1500]) {
      await expect(entries(tar.subarray(0, cut))).rejects.toThrow(/truncated/);
    }
    await expect(entries(Buffer.alloc(1024, 0x41))).rejects.toThrow(/checksum/);
    await expect(entries(Buffer.alloc(0))).rejects.toThrow(/empty/);
  });

  it('lets a consumer stop reading a body early', async () => {
    const tar = await build([
      { h: newHeader({ name: 'a', type: 'file', size: 3000 }), data: Buffer.alloc(3000, 7) },
      { h: newHeader({ name: 'b', type: 'file', size: 1 }), data: Buffer.from('z') },
    ]);
    const names: string[] = [];
    for await (const e of readTar(chunks(tar, 1000))) {
      names.push(e.header.name);
      for await (const _ of e.body) break;
    }
    expect(names).toEqual(['a', 'b']);
  });
});
