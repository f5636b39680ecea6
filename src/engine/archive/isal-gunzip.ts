/**
 * A gzip stream inflated by ISA-L on libuv's pool (the addon's inflate.c),
 * one call at a time, each filling the rest of the output buffer the last
 * left, and the next call started before a full buffer is handed on: the
 * pool inflates while the caller parses and writes, and the input is used
 * as it comes (no copies to gather it). A stream that ends inside a member
 * is truncated; what follows the last member is not read, as zlib's gunzip
 * does. Throws plain errors (compression.ts tells them as corrupt data).
 */
import { native } from '../native.js';

/** Output buffers. */
const OUT = 256 << 10;

interface Step {
  used: number;
  made: number;
  /** 1 the stream ended, 2 a member ended, 0 more is expected */
  state: number;
}

export async function* isalGunzip(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const n = native();
  const z = n.inflater();
  const it = src[Symbol.asyncIterator]();
  let input: Buffer = Buffer.alloc(0);
  let eof = false;
  const more = async () => {
    const r = await it.next();
    if (r.done) eof = true;
    else input = input.length ? Buffer.concat([input, r.value]) : r.value;
  };
  let out = Buffer.allocUnsafe(OUT);
  let filled = 0;
  const start = (): Promise<Step> => {
    const p = n.inflateAsync(z, input, out.subarray(filled)).then(([used, made, state]) => ({ used, made, state }));
    p.catch(() => undefined); // a consumer that stops early leaves it unawaited
    return p;
  };
  await more();
  let pending = start();
  for (;;) {
    const r = await pending;
    input = input.subarray(r.used);
    filled += r.made;
    let next = r.state !== 1;
    if (next && filled < OUT) {
      if (input.length && r.used === 0 && r.made === 0) {
        // too little to tell whether another member begins: more, or the end
        if (!eof) await more();
        else if (r.state === 2) next = false;
        else throw new Error('unexpected end of file');
      } else if (!input.length) {
        if (!eof) await more();
        if (eof && !input.length && r.made === 0) {
          if (r.state === 0) throw new Error('unexpected end of file');
          next = false;
        }
      }
    }
    if (!next) {
      if (filled) yield out.subarray(0, filled);
      return;
    }
    if (filled < OUT) {
      pending = start();
      continue;
    }
    const full = out;
    out = Buffer.allocUnsafe(OUT);
    filled = 0;
    pending = start();
    yield full;
  }
}
