/**
 * The native batch reader a COPY's checksum reads its context with
 * (native/addon/read-files.c through ReadMemo.readMany): the same digests,
 * kept bytes and attributes as the one-by-one read() on real files; a link
 * swapped in for a file after the walk's lstat, or another file renamed
 * over it, fails instead of being read (nothing outside the context comes
 * in through a link); a file larger than the per-file cap, or one whose
 * size changed, is hashed whole but not kept, so the copy reads it again.
 */
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../src/engine/native.js';
import { ReadMemo, type ReadItem } from '../../src/engine/build/fs/reads.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-read-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const item = (host: string, name = host.slice(dir.length + 1)): ReadItem => ({ host, st: lstatSync(host), name });

describe('ReadMemo.readMany (readFilesAsync)', () => {
  it('gives what read() gives: digests, kept bytes, attributes, for files and other entries', async () => {
    const d = join(dir, 'same');
    mkdirSync(join(d, 'sub'), { recursive: true });
    const files: string[] = [];
    // more than one batch, and an empty file
    for (let i = 0; i < 150; i++) {
      const f = join(d, i % 2 ? 'sub' : '', `f${i}`);
      writeFileSync(f, i === 7 ? '' : `file ${i}\n`.repeat(i));
      files.push(f);
    }
    native().lsetxattr(files[3]!, 'user.note', Buffer.from('kept'));
    native().lsetxattr(join(d, 'sub'), 'user.dir', Buffer.from('d'));
    const items = [item(d), item(join(d, 'sub')), ...files.map((f) => item(f))];
    const many = await new ReadMemo().readMany(items);
    const one = new ReadMemo();
    for (const [i, it] of items.entries()) {
      const e = one.read(it.host, it.st, it.name);
      expect(many[i]!.digest).toBe(e.digest);
      expect(many[i]!.xattrs).toEqual(e.xattrs);
      expect(many[i]!.data?.toString('hex')).toBe(e.data?.toString('hex'));
    }
    expect(many[2 + 3]!.xattrs).toEqual([['user.note', Buffer.from('kept')]]);
    expect(many[1]!.xattrs).toEqual([['user.dir', Buffer.from('d')]]);
    expect(many[2 + 9]!.digest).toBe(sha('file 9\n'.repeat(9)));
    expect(many[2 + 7]!.data?.length).toBe(0);
  });

  it('refuses a symbolic link swapped in after the lstat (ELOOP), never reading its target', async () => {
    const secret = join(dir, 'secret');
    writeFileSync(secret, 'outside the context');
    const f = join(dir, 'swapped-link');
    writeFileSync(f, 'inside');
    const it = item(f);
    rmSync(f);
    symlinkSync(secret, f);
    const memo = new ReadMemo();
    await expect(memo.readMany([it])).rejects.toMatchObject({ code: 'ELOOP', syscall: 'open', path: f });
    expect(memo.known(f)).toBeNull();
  });

  it('refuses another file renamed over the one the lstat saw, naming it', async () => {
    const f = join(dir, 'swapped-file');
    writeFileSync(f, 'first');
    const ok = join(dir, 'before-it');
    writeFileSync(ok, 'fine');
    const it = item(f, 'ctx/swapped-file');
    writeFileSync(`${f}.new`, 'other');
    renameSync(`${f}.new`, f);
    await expect(new ReadMemo().readMany([item(ok), it])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: '/ctx/swapped-file changed while it was read',
    });
  });

  it('hashes a file past the per-file cap without keeping it: the copy reads it again', async () => {
    const big = join(dir, 'big');
    const bytes = Buffer.alloc(3 << 20, 'x');
    writeFileSync(big, bytes);
    const small = join(dir, 'small');
    writeFileSync(small, 'tiny');
    const memo = new ReadMemo(64 << 20, 1024);
    const [b, s] = await memo.readMany([item(big), item(small)]);
    expect(b!.digest).toBe(sha(bytes));
    expect(b!.data).toBeNull();
    expect(memo.known(big)).toBeNull();
    expect(s!.data?.toString()).toBe('tiny');
    expect(memo.known(small)?.data?.toString()).toBe('tiny');
  });

  it('hashes a file that grew after the lstat whole, and keeps none of it', async () => {
    const f = join(dir, 'grew');
    writeFileSync(f, 'start');
    const it = item(f);
    appendFileSync(f, ' and more');
    const memo = new ReadMemo();
    const [e] = await memo.readMany([it]);
    expect(e!.digest).toBe(sha('start and more'));
    expect(e!.data).toBeNull();
    expect(memo.known(f)).toBeNull();
  });
});
