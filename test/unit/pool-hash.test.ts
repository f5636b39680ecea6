/**
 * PoolHash (util/pool-hash.ts, native/addon/hash-write.c): a stream's
 * SHA-256 and the file it is written to, made on libuv's pool. The digest is
 * crypto's for the same bytes in any cut, the file holds every byte in
 * order however many chunks wait, a failed write is reported (and the ones
 * after it are not made), and a state takes one call at a time.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../src/engine/native.js';
import { PoolHash } from '../../src/engine/util/pool-hash.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-pool-hash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

describe('PoolHash', () => {
  it('hashes as crypto does, with nothing, one chunk, or many of odd sizes', async () => {
    expect(await new PoolHash().digest()).toBe(sha(Buffer.alloc(0)));
    const data = randomBytes(5_000_000);
    const one = new PoolHash();
    await one.update(data);
    expect(await one.digest()).toBe(sha(data));
    const many = new PoolHash();
    for (let i = 0, n = 1; i < data.length; i += n, n = (n * 7 + 3) % 70_001)
      await many.update(data.subarray(i, i + n));
    expect(many.bytes).toBe(data.length);
    expect(await many.digest()).toBe(sha(data));
  });

  it('writes every byte in order to its file while more than its queue waits', async () => {
    const file = join(dir, 'blob');
    const fd = openSync(file, 'wx');
    const h = new PoolHash(fd);
    const chunks = Array.from({ length: 64 }, () => randomBytes(300_000)); // 19 MB: past the queue's bound
    for (const c of chunks) await h.update(c);
    const digest = await h.digest();
    closeSync(fd);
    const all = Buffer.concat(chunks);
    expect(digest).toBe(sha(all));
    expect(readFileSync(file).equals(all)).toBe(true);
  });

  it('a write that fails is reported, by update() or digest()', async () => {
    const fd = openSync(join(dir, 'ro'), 'wx');
    closeSync(fd);
    const ro = openSync(join(dir, 'ro'), 'r'); // not open for writing: EBADF
    const h = new PoolHash(ro);
    let error: unknown = null;
    try {
      for (let i = 0; i < 8; i++) await h.update(randomBytes(600_000));
      await h.digest();
    } catch (e) {
      error = e;
    }
    closeSync(ro);
    expect((error as NodeJS.ErrnoException)?.code).toBe('EBADF');
  });

  it('one call at a time per state', async () => {
    const st = native().hashWriter(-1);
    const first = native().hashWriteAsync(st, [randomBytes(4_000_000)]);
    expect(() => native().hashWriteAsync(st, [Buffer.from('x')])).toThrow(/EBUSY/);
    expect(() => native().hashDigest(st)).toThrow(/EBUSY/);
    await first;
    expect(native().hashDigest(st).length).toBe(32);
  });
});
