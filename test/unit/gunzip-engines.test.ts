/**
 * gzip by ISA-L on libuv's pool (native/addon/inflate.c, archive/isal-gunzip.ts)
 * against zlib's gunzip, the reference it replaces: for the same input in
 * any cut (one byte at a time, odd sizes, whole), both give the same bytes,
 * or both fail: concatenated members, what follows the last member, a
 * truncated stream, a flipped byte (the CRC), an empty input. Also that a
 * build on a machine with ISA-L's header uses it.
 */
import { existsSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzip } from '../../src/engine/archive/compression.js';
import { native } from '../../src/engine/native.js';

async function* cut(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/** What came out (its length and SHA-256: vitest compares megabytes of Buffer slowly), or the error's code. */
async function run(engine: 'isal' | 'zlib', b: Buffer, size: number): Promise<string> {
  const h = createHash('sha256');
  let n = 0;
  try {
    for await (const c of gunzip(cut(b, size), engine)) {
      h.update(c);
      n += c.length;
    }
    return `${n} bytes, ${h.digest('hex')}`;
  } catch (e) {
    return `error ${(e as { code?: string }).code}`;
  }
}

const digestOf = (b: Buffer) => `${b.length} bytes, ${createHash('sha256').update(b).digest('hex')}`;

// text compresses well (long matches), random bytes do not (stored blocks): both kinds of deflate block
const text = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(40_000));
const noise = randomBytes(700_000);
const a = gzipSync(text);
const b = gzipSync(noise);

const cases: [string, Buffer][] = [
  ['one member of text', a],
  ['one member of random bytes', b],
  ['two members', Buffer.concat([a, b])],
  ['a member of nothing', gzipSync(Buffer.alloc(0))],
  ['zero bytes after the member', Buffer.concat([a, Buffer.alloc(100)])],
  ['0x1f after the member (a member cut short)', Buffer.concat([a, Buffer.from([0x1f])])],
  ['0x1f then not gzip after the member', Buffer.concat([a, Buffer.from([0x1f, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])])],
  ['truncated inside the data', a.subarray(0, a.length >> 1)],
  ['truncated in the trailer', b.subarray(0, b.length - 3)],
  ['a flipped byte in the data', Buffer.from(b.map((x, i) => (i === b.length >> 1 ? x ^ 0x40 : x)))],
  ['a flipped byte in the CRC', Buffer.from(a.map((x, i) => (i === a.length - 6 ? x ^ 1 : x)))],
  ['not gzip at all', Buffer.from('plain text, not compressed')],
  ['empty', Buffer.alloc(0)],
];

describe.skipIf(!native().inflateAvailable)('gzip by ISA-L, as zlib reads it', () => {
  for (const [name, input] of cases)
    it(name, async () => {
      const want = await run('zlib', input, 1 << 20);
      for (const size of [input.length || 1, 65_536, 4_099, 1]) {
        if (size === 1 && input.length > 200_000) continue; // a byte at a time: the small cases only
        expect(await run('isal', input, size), `in pieces of ${size}`).toBe(want);
      }
    });

  it('agrees with the data it compressed', async () => {
    expect(await run('isal', Buffer.concat([a, b]), 65_536)).toBe(digestOf(Buffer.concat([text, noise])));
  });

  it('a byte at a time through a large member', async () => {
    const small = gzipSync(text.subarray(0, 120_000));
    expect(await run('isal', small, 1)).toBe(digestOf(text.subarray(0, 120_000)));
  });

  it('one call at a time per stream: a second while the first runs is refused', async () => {
    const z = native().inflater();
    const first = native().inflateAsync(z, [a], Buffer.alloc(1 << 20));
    expect(() => native().inflateAsync(z, [a], Buffer.alloc(16))).toThrow(/EBUSY/);
    const [used, made] = await first;
    expect(used).toBeGreaterThan(0);
    expect(made).toBeGreaterThan(0);
  });
});

describe('the build', () => {
  it("uses ISA-L when its header was there to build with (Debian's libisal-dev)", () => {
    expect(native().inflateAvailable).toBe(existsSync('/usr/include/isa-l/igzip_lib.h'));
  });
});
