/**
 * A streaming tar reader over an async iterable of Buffers. Yields one entry
 * at a time; the entry's body must be consumed (or skipped) before asking for
 * the next. Meta entries (PAX, GNU long names) are folded into the entry they
 * describe. Slices input chunks without copying where it can.
 */
import {
  BLOCK,
  TarFormatError,
  applyPax,
  decodeHeader,
  decodePax,
  entryType,
  isZeroBlock,
  type TarHeader,
} from './header.js';

export class TruncatedError extends TarFormatError {}

class ByteSource {
  private chunks: Buffer[] = [];
  private have = 0;
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.have < n && !this.done) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        break;
      }
      if (r.value.length) {
        this.chunks.push(r.value);
        this.have += r.value.length;
      }
    }
    return this.have >= n;
  }

  /** Exactly n bytes, or null at a clean end of input (nothing buffered). */
  async read(n: number): Promise<Buffer | null> {
    if (n === 0) return Buffer.alloc(0);
    if (!(await this.fill(n))) {
      if (this.have === 0) return null;
      throw new TruncatedError('tar archive is truncated');
    }
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.have -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const take = Math.min(c.length, n - off);
      c.copy(out, off, 0, take);
      off += take;
      if (take === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(take);
    }
    this.have -= n;
    return out;
  }

  /** The next piece of at most max bytes (max > 0); throws when input ends. */
  async piece(max: number): Promise<Buffer> {
    if (!this.chunks.length && !(await this.fill(1))) throw new TruncatedError('tar archive is truncated');
    const c = this.chunks[0]!;
    const take = Math.min(c.length, max);
    if (take === c.length) this.chunks.shift();
    else this.chunks[0] = c.subarray(take);
    this.have -= take;
    return take === c.length ? c : c.subarray(0, take);
  }

  async skip(n: number): Promise<void> {
    while (n > 0) n -= (await this.piece(n)).length;
  }

  /** Consume whatever input remains (padding after the end marker). */
  async drain(): Promise<void> {
    this.chunks = [];
    this.have = 0;
    while (!this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
    }
  }
}

export interface TarEntry {
  header: TarHeader;
  /** The body; for non-files it is empty. Must be consumed before the next entry. */
  body: AsyncIterable<Buffer>;
  /** Read the whole body into one Buffer (for small entries). */
  buffer(): Promise<Buffer>;
}

const MAX_META = 16 * 1024 * 1024;
/** Global PAX records stay in force for the rest of the archive: their keys and values, at most this much. */
const MAX_GLOBAL_PAX = 1024 * 1024;

function mergeGlobalPax(into: Map<string, Buffer>, add: Map<string, Buffer>): void {
  for (const [k, v] of add) into.set(k, v);
  let n = 0;
  for (const [k, v] of into) n += k.length + v.length;
  if (n > MAX_GLOBAL_PAX) throw new TarFormatError('tar global PAX records exceed 1 MiB');
}

/** Iterate the entries of a tar stream. */
export async function* readTar(
  input: AsyncIterable<Buffer>,
  opts: {
    drainTail?: boolean;
    /** An input of no bytes at all is an empty archive (docker takes an empty layer.tar). */ allowEmpty?: boolean;
  } = {},
): AsyncGenerator<TarEntry> {
  const src = new ByteSource(input[Symbol.asyncIterator]());
  let pax: Map<string, Buffer> | null = null;
  const globalPax: Map<string, Buffer> = new Map();
  let longName: string | null = null;
  let longLink: string | null = null;
  let sawAny = false;
  for (;;) {
    const block = await src.read(BLOCK);
    if (!block) {
      if (!sawAny && !opts.allowEmpty) throw new TarFormatError('not a tar archive: the input is empty');
      return; // end without the zero blocks: accept as docker does
    }
    if (isZeroBlock(block)) {
      if (opts.drainTail !== false) await src.drain();
      return;
    }
    sawAny = true;
    const raw = decodeHeader(block);
    const padded = Math.ceil(raw.size / BLOCK) * BLOCK;
    if (raw.flag === 'x' || raw.flag === 'g' || raw.flag === 'L' || raw.flag === 'K') {
      if (raw.size > MAX_META) throw new TarFormatError('tar meta entry is too large');
      const data = (await src.read(padded))?.subarray(0, raw.size);
      if (!data) throw new TruncatedError('tar archive is truncated');
      if (raw.flag === 'x') pax = decodePax(data);
      else if (raw.flag === 'g') mergeGlobalPax(globalPax, decodePax(data));
      else {
        const end = data.indexOf(0);
        const s = data.toString('utf8', 0, end < 0 ? data.length : end);
        if (raw.flag === 'L') longName = s;
        else longLink = s;
      }
      continue;
    }
    const type = entryType(raw.flag);
    if (raw.flag === 'S') throw new TarFormatError(`sparse tar entries are not supported (${raw.name})`);
    const header: TarHeader = {
      name: longName ?? raw.name,
      type: type ?? 'file',
      mode: raw.mode,
      uid: raw.uid,
      gid: raw.gid,
      size: raw.size,
      mtime: raw.mtime,
      linkname: longLink ?? raw.linkname,
      uname: raw.uname,
      gname: raw.gname,
      devmajor: raw.devmajor,
      devminor: raw.devminor,
      xattrs: new Map(),
    };
    if (globalPax.size) applyPax(header, globalPax);
    if (pax) applyPax(header, pax);
    pax = null;
    longName = null;
    longLink = null;
    const dataSize = header.type === 'file' || type === null ? header.size : 0;
    const bodyPadded = header.size !== raw.size ? Math.ceil(header.size / BLOCK) * BLOCK : padded;
    let remaining = dataSize;
    // An iterator without return(): a consumer that stops early does not
    // close it, and the reader skips what was left.
    const body: AsyncIterable<Buffer> = {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<Buffer>> => {
          if (remaining <= 0) return { done: true, value: undefined };
          const p = await src.piece(remaining);
          remaining -= p.length;
          return { done: false, value: p };
        },
      }),
    };
    const entry: TarEntry = {
      header,
      body,
      async buffer() {
        const parts: Buffer[] = [];
        for await (const c of body) parts.push(c);
        return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      },
    };
    if (type === null) {
      // volume labels, GNU dumpdirs and other unknown types: skip them
      await src.skip(bodyPadded);
      continue;
    }
    yield entry;
    await src.skip(remaining + bodyPadded - dataSize);
    remaining = 0;
  }
}
