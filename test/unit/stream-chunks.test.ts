/**
 * chunksOf (engine/util/stream-chunks.ts): a stream's chunks as it gives
 * them, never joined. Node's own async iterator joined whatever a reader had
 * let pile up into one new Buffer (one more copy of a pull's bytes).
 */
import { PassThrough, Readable } from 'node:stream';
import { createGzip, createGunzip } from 'node:zlib';
import { expect, it } from 'vitest';
import { chunksOf } from '../../src/engine/util/stream-chunks.js';

it('gives the chunks a reader let pile up one by one, the same Buffers', async () => {
  const s = new PassThrough();
  const sent = [Buffer.from('one'), Buffer.from('two'), Buffer.from('three')];
  const got: Buffer[] = [];
  const it = chunksOf(s)[Symbol.asyncIterator]();
  const first = it.next(); // listening from here on
  for (const b of sent) s.write(b);
  s.end();
  got.push((await first).value as Buffer);
  for (let r = await it.next(); !r.done; r = await it.next()) got.push(r.value);
  expect(got.map(String)).toEqual(['one', 'two', 'three']);
});

it('holds a fast producer back while the reader is behind, and loses nothing', async () => {
  const data = Buffer.alloc(8 << 20, 7);
  const gz = createGunzip({ chunkSize: 64 * 1024 });
  Readable.from([await new Promise<Buffer>((r) => createGzip().end(data).pipe(concat(r)))]).pipe(gz);
  let n = 0;
  let chunks = 0;
  for await (const c of chunksOf(gz)) {
    n += c.length;
    chunks++;
    await new Promise((r) => setImmediate(r)); // a slow reader
  }
  expect(n).toBe(data.length);
  expect(chunks).toBe(data.length / (64 * 1024)); // every chunk the size zlib gave it: none joined
});

it("throws the stream's error after the chunks that came before it", async () => {
  const s = new PassThrough();
  const it = chunksOf(s)[Symbol.asyncIterator]();
  const first = it.next();
  s.write(Buffer.from('a'));
  expect(String((await first).value)).toBe('a');
  s.destroy(Object.assign(new Error('boom'), { code: 'UND_ERR_SOCKET' }));
  await expect(it.next()).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
});

it('a stream closed before its end is a premature close; one destroyed before reading too', async () => {
  const s = new PassThrough();
  const it = chunksOf(s)[Symbol.asyncIterator]();
  const first = it.next();
  s.destroy();
  await expect(first).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  const gone = new PassThrough();
  gone.destroy();
  await new Promise((r) => setImmediate(r));
  await expect(chunksOf(gone).next()).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
});

it('a reader that stops early destroys the stream', async () => {
  const s = new PassThrough();
  s.write(Buffer.from('x'));
  for await (const c of chunksOf(s)) {
    expect(String(c)).toBe('x');
    break;
  }
  expect(s.destroyed).toBe(true);
});

function concat(done: (b: Buffer) => void): PassThrough {
  const parts: Buffer[] = [];
  const p = new PassThrough();
  p.on('data', (c: Buffer) => parts.push(c));
  p.on('end', () => done(Buffer.concat(parts)));
  return p;
}
