/**
 * archive/parallel-gzip: blocks deflated at once must still make one gzip
 * member that zlib and the system's gzip read back to the same bytes,
 * whatever the input's size against the block size; the same input gives
 * the same output (a push's digest does not depend on timing).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parallelGzip } from '../../src/engine/archive/parallel-gzip.js';

const MB = 1 << 20;

async function gz(data: Buffer, piece = 64 * 1024): Promise<Buffer> {
  async function* src() {
    for (let o = 0; o < data.length; o += piece) yield data.subarray(o, o + piece);
  }
  const out: Buffer[] = [];
  for await (const c of parallelGzip(src())) out.push(c);
  return Buffer.concat(out);
}

/** Text-like bytes that compress, with matches across the block boundaries (the dictionary's work). */
function compressible(n: number): Buffer {
  const words = ['usr', 'lib', 'share', 'doc', 'bin', 'x86_64-linux-gnu', 'copyright', '\n', '/', ' '];
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const w = words[(i * 7 + (i >> 3)) % words.length]!;
    parts.push(w);
    len += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, n);
}

describe('parallelGzip', () => {
  it('round-trips through zlib at sizes around the block size, empty included', async () => {
    for (const n of [0, 1, 32 * 1024, MB - 1, MB, MB + 1, 3 * MB + 12345]) {
      const data = compressible(n);
      const out = await gz(data);
      expect(gunzipSync(out).equals(data), `size ${n}`).toBe(true);
    }
  });

  it("is one gzip member that the system's gzip reads, with its CRC and length", async () => {
    const data = Buffer.concat([compressible(5 * MB), randomBytes(MB + 3)]);
    const out = await gz(data, 100_000);
    expect(out.subarray(0, 3).equals(Buffer.from([0x1f, 0x8b, 8]))).toBe(true);
    expect(execFileSync('gzip', ['-d', '-c'], { input: out, maxBuffer: 64 * MB }).equals(data)).toBe(true);
    // about what one zlib stream makes at the same level (the blocks share their 32 KiB of history)
    const single = execFileSync('gzip', ['-6', '-c', '-n'], { input: data, maxBuffer: 64 * MB });
    expect(out.length).toBeLessThan(single.length * 1.01);
  });

  it('gives the same bytes for the same input however it is chunked', async () => {
    const data = compressible(2 * MB + 777);
    expect((await gz(data, 4096)).equals(await gz(data, 3 * MB))).toBe(true);
  });
});
