/**
 * docker's multiplexed stream (logs, attach and exec without a tty): frames
 * of an 8-byte header (the stream: 0 stdin, 1 stdout, 2 stderr, 3 the
 * engine's own error; three zero bytes; the payload's length, big-endian)
 * and the payload. Pure: chunks in, frames out, however the chunks split.
 */

export interface Frame {
  stream: 0 | 1 | 2 | 3;
  data: Buffer;
}

/** The largest frame accepted (docker's are at most 32 KiB; a bigger one is not this protocol). */
const MAX_FRAME = 16 << 20;

export class Demuxer {
  private buf: Buffer = Buffer.alloc(0);

  /** The whole frames the chunk completes. Throws on a header that is not docker's. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.buf.length >= 8) {
      const stream = this.buf[0]!;
      const size = this.buf.readUInt32BE(4);
      if (stream > 3 || this.buf[1] || this.buf[2] || this.buf[3] || size > MAX_FRAME)
        throw new Error('the engine sent a stream that is not docker’s multiplexed format');
      if (this.buf.length < 8 + size) break;
      out.push({ stream: stream as Frame['stream'], data: this.buf.subarray(8, 8 + size) });
      this.buf = this.buf.subarray(8 + size);
    }
    return out;
  }

  /** Bytes of an unfinished frame left at the end. */
  get pending(): number {
    return this.buf.length;
  }
}

/** One frame as docker writes it (tests, and stdin nothing else needs). */
export function frame(stream: Frame['stream'], data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(data.length, 4);
  return Buffer.concat([h, data]);
}

/**
 * Log lines from a stream with timestamps=1: each line starts with an
 * RFC3339Nano time and a space. A line may arrive in pieces (a tty's raw
 * stream, a long line split into frames): text is kept until its newline.
 */
export class LineSplitter {
  private rest = '';
  push(text: string): string[] {
    this.rest += text;
    const out: string[] = [];
    let nl: number;
    while ((nl = this.rest.indexOf('\n')) >= 0) {
      out.push(this.rest.slice(0, nl + 1));
      this.rest = this.rest.slice(nl + 1);
    }
    return out;
  }
  /** What is left without a newline (a partial last line). */
  flush(): string[] {
    const r = this.rest;
    this.rest = '';
    return r ? [r] : [];
  }
}

/** "2026-12-03T15:00:00.123456789Z rest" -> the time as RFC3339Nano, ns since the epoch, and the rest. */
export function splitTimestamp(line: string): { time: string; timeNs: bigint; text: string } {
  const sp = line.indexOf(' ');
  const time = sp > 0 ? line.slice(0, sp) : '';
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return { time: '', timeNs: 0n, text: line };
  const secs = Date.parse(`${m[1]}${m[3]}`);
  const ns = BigInt(secs) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
  return { time, timeNs: ns, text: line.slice(sp + 1) };
}
