/**
 * A gzip stream inflated by ISA-L on libuv's pool (the addon's inflate.c),
 * one call at a time: each call takes the input gathered meanwhile (a
 * megabyte or more, as the pieces came: nothing is copied to gather them)
 * and fills the rest of the output buffer the last call left, and the next
 * call starts before a full buffer is handed on, so the pool inflates while
 * the caller parses and writes. A stream that ends inside a member is
 * truncated; what follows the last member is not read, as zlib's gunzip
 * does. Throws plain errors (compression.ts tells them as corrupt data).
 */
import { native } from '../native.js';

/** Input gathered for a call (unless the stream ends first), and output buffers. */
const IN = 512 << 10;
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
  let input: Buffer[] = [];
  let queued = 0;
  let eof = false;
  /** Read until `min` bytes wait (or the stream ends). */
  const more = async (min: number) => {
    while (queued < min && !eof) {
      const r = await it.next();
      if (r.done) eof = true;
      else if (r.value.length) {
        input.push(r.value);
        queued += r.value.length;
      }
    }
  };
  /** Drop the first `used` bytes of the input. */
  const take = (used: number) => {
    queued -= used;
    let i = 0;
    while (used > 0 && used >= input[i]!.length) used -= input[i++]!.length;
    input = input.slice(i);
    if (used > 0) input[0] = input[0]!.subarray(used);
  };
  let out = Buffer.allocUnsafe(OUT);
  let filled = 0;
  const start = (): Promise<Step> => {
    const p = n
      .inflateAsync(z, input.slice(), out.subarray(filled))
      .then(([used, made, state]) => ({ used, made, state }));
    p.catch(() => undefined); // a consumer that stops early leaves it unawaited
    return p;
  };
  await more(IN);
  let pending = start();
  for (;;) {
    const r = await pending;
    take(r.used);
    filled += r.made;
    if (r.state === 1) {
      if (filled) yield out.subarray(0, filled);
      return;
    }
    if (filled < OUT) {
      // the call used what it was given, or (nothing done) too little to go on
      const stuck = r.used === 0 && r.made === 0;
      if (!eof) await more(stuck ? queued + 1 : IN);
      else if (stuck) {
        if (r.state !== 2) throw new Error('unexpected end of file');
        if (filled) yield out.subarray(0, filled);
        return;
      }
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
