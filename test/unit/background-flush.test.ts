/**
 * The pull's background flush: the addon's syncfsAsync flushes on libuv's
 * pool (a promise), throws at once for a path it cannot open, and
 * BackgroundFlush starts one flush per step of bytes, never two at a time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../src/engine/native.js';
import { BackgroundFlush } from '../../src/engine/registry/background-flush.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-flush-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('syncfsAsync', () => {
  it('resolves once the file system of the path is flushed', async () => {
    writeFileSync(join(dir, 'f'), 'data');
    await expect(native().syncfsAsync(dir)).resolves.toBeUndefined();
  });

  it("throws Node's kind of error at once for a path it cannot open", () => {
    expect(() => native().syncfsAsync(join(dir, 'missing'))).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'open' }),
    );
  });
});

describe('BackgroundFlush', () => {
  it('flushes after every step of bytes, one flush at a time', async () => {
    const f = new BackgroundFlush(dir, 100);
    f.add(99);
    expect(f.started).toBe(0);
    f.add(1); // a step: a flush starts
    f.add(500); // one is under way: none more
    expect(f.started).toBe(1);
    await f.settle();
    f.add(50); // 550 more since the last start: the next one
    expect(f.started).toBe(2);
    await f.settle();
  });

  it('a directory gone meanwhile is no error (the commit flush reports)', async () => {
    const f = new BackgroundFlush(join(dir, 'gone'), 1);
    f.add(10);
    await expect(f.settle()).resolves.toBeUndefined();
  });
});
