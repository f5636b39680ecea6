/**
 * FileBatches (layer/file-batches.ts): small files gathered and created by
 * the addon on libuv's pool. Each file gets its bytes, mode and time; a body
 * of the wrong length is refused before anything is queued; a file that
 * cannot be made (here: one already there) fails drain() with its error and
 * path, and settle() leaves nothing in flight after a failure.
 */
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBatches } from '../../src/engine/layer/file-batches.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-file-batches-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function* body(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}
const meta = { mode: 0o640, uid: 0, gid: 0, chown: false, mtime: 1_000_000 };

describe('FileBatches', () => {
  it('makes every file queued, across many batches, with its bytes, mode and time', async () => {
    const b = new FileBatches();
    for (let i = 0; i < 2000; i++) {
      const text = `file ${i} `.repeat(1 + (i % 300));
      expect(await b.add(join(dir, `f${i}`), text.length, body(text.slice(0, 5), text.slice(5)), meta)).toBe(true);
    }
    expect(b.dirty).toBe(true);
    await b.drain();
    expect(b.dirty).toBe(false);
    for (const i of [0, 1, 999, 1999]) {
      expect(readFileSync(join(dir, `f${i}`), 'utf8')).toBe(`file ${i} `.repeat(1 + (i % 300)));
      const s = lstatSync(join(dir, `f${i}`));
      expect([s.mode & 0o7777, s.mtimeMs]).toEqual([0o640, 1_000_000_000]);
    }
  });

  it('refuses a body longer or shorter than its size, and queues nothing for it', async () => {
    const b = new FileBatches();
    expect(await b.add(join(dir, 'short'), 10, body('abc'), meta)).toBe(false);
    expect(await b.add(join(dir, 'long'), 2, body('abc'), meta)).toBe(false);
    await b.drain();
    expect(existsSync(join(dir, 'short')) || existsSync(join(dir, 'long'))).toBe(false);
  });

  it('a file that cannot be made fails drain() with its error and path', async () => {
    writeFileSync(join(dir, 'there'), 'old');
    const b = new FileBatches();
    await b.add(join(dir, 'before'), 1, body('x'), meta);
    await b.add(join(dir, 'there'), 3, body('new'), meta);
    await expect(b.drain()).rejects.toMatchObject({ code: 'EEXIST', path: join(dir, 'there') });
    expect(readFileSync(join(dir, 'there'), 'utf8')).toBe('old');
    expect(readFileSync(join(dir, 'before'), 'utf8')).toBe('x');
  });

  it('settle() after a failure waits for what is in flight and drops what is queued', async () => {
    const b = new FileBatches();
    for (let i = 0; i < 1500; i++) await b.add(join(dir, `s${i}`), 1, body('y'), meta);
    await b.settle();
    expect(b.dirty).toBe(false);
    // what was sent is whole; what was only queued was never made
    const made = Array.from({ length: 1500 }, (_, i) => existsSync(join(dir, `s${i}`)));
    const first = made.indexOf(false);
    expect(first).toBeGreaterThan(0);
    expect(made.slice(first).every((m) => !m)).toBe(true);
  });
});
