/**
 * A Readable's chunks as it gives them, for the byte streams a pull or a
 * load reads (a registry's response body, a decompressor's output).
 * Node's own async iterator reads in paused mode, where read() joins
 * everything buffered into one new Buffer: data a step ahead of its reader
 * was copied once more, and the copies, as many bytes as the data, made V8
 * collect garbage for the memory they took outside its heap. In flowing
 * mode each chunk comes as it is; the stream is paused while a few wait for
 * the reader. A reader that stops early destroys the stream, as Node's
 * iterator does.
 */
import type { Readable } from 'node:stream';

const prematureClose = () => Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });

export async function* chunksOf(out: Readable): AsyncGenerator<Buffer> {
  if (out.readableEnded) return;
  if (out.destroyed) throw out.errored ?? prematureClose();
  const queue: Buffer[] = [];
  let ended = false;
  let error: unknown = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onData = (c: Buffer) => {
    queue.push(c);
    if (queue.length >= 4) out.pause();
    poke();
  };
  const onEnd = () => {
    ended = true;
    poke();
  };
  const onError = (e: unknown) => {
    error ??= e;
    poke();
  };
  const onClose = () => {
    if (!ended) error ??= prematureClose();
    poke();
  };
  out.on('data', onData);
  out.on('end', onEnd);
  out.on('error', onError);
  out.on('close', onClose);
  try {
    for (;;) {
      const c = queue.shift();
      if (c) {
        if (queue.length < 2 && out.isPaused()) out.resume();
        yield c;
        continue;
      }
      if (error) throw error;
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    out.off('data', onData);
    out.off('end', onEnd);
    out.off('error', onError);
    out.off('close', onClose);
    if (!ended) out.destroy();
  }
}

/**
 * The stream in pieces of at least `min` bytes (the last may be shorter). A decompressor on libuv's
 * pool takes each piece to a thread of the pool and back: from a socket's 64 KiB reads, those trips
 * cost the caller's thread about twice what they cost from pieces of a megabyte.
 */
export async function* gathered(src: AsyncIterable<Buffer>, min: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let len = 0;
  for await (const c of src) {
    if (!len && c.length >= min) {
      yield c;
      continue;
    }
    parts.push(c);
    len += c.length;
    if (len >= min) {
      yield Buffer.concat(parts, len);
      parts = [];
      len = 0;
    }
  }
  if (len) yield Buffer.concat(parts, len);
}
