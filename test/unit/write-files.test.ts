/**
 * The addon's writeFilesAsync (native/addon/write-files.c), which writes a
 * COPY's files kept in memory: each file has the bytes, mode, owner and
 * times asked for, as Node's own calls made them (futimes' whole
 * microseconds); an existing file stops the batch with Node's kind of
 * error naming it; malformed arguments are refused at once. Needs root
 * (the owners).
 */
import { lstatSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../src/engine/native.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-write-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta = (rows: number[][]) => new Float64Array(rows.flat());

describe('writeFilesAsync', () => {
  it('makes each file with its bytes, mode, owner and times', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const mtime = 1_700_000_000.123456789;
    await native().writeFilesAsync(
      `${a}\0${b}\0`,
      Buffer.from('helloworld!'),
      meta([
        [5, 0o4755, 1234, 5678, 1, 1_600_000_000.5, mtime],
        [6, 0o640, 0, 0, 0, 1_600_000_000, 1_600_000_001],
      ]),
    );
    // (before reading them: a read moves an atime older than the mtime, relatime)
    const sa = lstatSync(a, { bigint: true });
    expect(readFileSync(a, 'utf8')).toBe('hello');
    expect(readFileSync(b, 'utf8')).toBe('world!');
    expect(sa.mode & 0o7777n).toBe(0o4755n);
    expect([sa.uid, sa.gid]).toEqual([1234n, 5678n]);
    // what Node's futimesSync gives the same time, on a file of its own
    const ref = join(dir, 'ref');
    writeFileSync(ref, '');
    utimesSync(ref, 1_600_000_000.5, mtime);
    expect(sa.mtimeNs).toBe(lstatSync(ref, { bigint: true }).mtimeNs);
    expect(sa.atimeNs).toBe(1_600_000_000_500_000_000n);
    expect(lstatSync(b).mode & 0o7777).toBe(0o640);
  });

  it('stops at a file that exists, naming it, and makes none after it', async () => {
    const exists = join(dir, 'exists');
    writeFileSync(exists, 'old');
    const after = join(dir, 'after');
    await expect(
      native().writeFilesAsync(
        `${exists}\0${after}\0`,
        Buffer.from('newafter'),
        meta([
          [3, 0o644, 0, 0, 0, 0, 0],
          [5, 0o644, 0, 0, 0, 0, 0],
        ]),
      ),
    ).rejects.toMatchObject({ code: 'EEXIST', syscall: 'open', path: exists });
    expect(readFileSync(exists, 'utf8')).toBe('old');
    expect(() => lstatSync(after)).toThrow();
  });

  it('refuses lengths beyond the bytes given, and a meta array of the wrong shape', async () => {
    await expect(
      native().writeFilesAsync(`${join(dir, 'short')}\0`, Buffer.from('ab'), meta([[3, 0o644, 0, 0, 0, 0, 0]])),
    ).rejects.toMatchObject({ code: 'EINVAL' });
    expect(() => lstatSync(join(dir, 'short'))).toThrow();
    expect(() => native().writeFilesAsync('x\0', Buffer.alloc(0), new Float64Array(3))).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
  });
});
