/**
 * Tar headers as pure functions over bytes: ustar, GNU (long names, base-256
 * numbers) and PAX extended records. PAX values stay raw bytes so binary
 * extended attributes (security.capability) survive; that is why berth
 * reads and writes tar itself rather than through a library that decodes
 * PAX records as UTF-8 text.
 */
export const BLOCK = 512;

export type EntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

export interface TarHeader {
  name: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (fractional when a PAX record gave more). */
  mtime: number;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from PAX SCHILY.xattr.* records: name -> raw value. */
  xattrs: Map<string, Buffer>;
}

/** Raw header as read: the type flag is kept so meta entries can be told apart. */
export interface RawHeader extends Omit<TarHeader, 'type' | 'xattrs'> {
  flag: string;
  ustar: boolean;
}

export class TarFormatError extends Error {}

function readString(b: Buffer, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return b.toString('utf8', off, end);
}

function readNumber(b: Buffer, off: number, len: number): number {
  if (b[off]! & 0x80) {
    // GNU base-256: big-endian two's complement, first byte's high bit is the marker
    let n = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + b[off + i]!;
    return n;
  }
  const s = b
    .toString('latin1', off, off + len)
    .replace(/[\0 ]+$/, '')
    .replace(/^[ ]+/, '');
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`invalid number field "${s}" in tar header`);
  return parseInt(s, 8);
}

export function isZeroBlock(b: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : b[i]!;
  return sum;
}

export function decodeHeader(b: Buffer): RawHeader {
  let stored: number;
  try {
    stored = readNumber(b, 148, 8);
  } catch {
    stored = -1;
  }
  if (stored !== checksum(b))
    throw new TarFormatError('tar header checksum mismatch: not a tar archive, or it is corrupt');
  const magic = b.toString('latin1', 257, 263);
  const ustar = magic === 'ustar\0';
  let name = readString(b, 0, 100);
  const prefix = ustar ? readString(b, 345, 155) : '';
  if (prefix) name = `${prefix}/${name}`;
  return {
    name,
    flag: String.fromCharCode(b[156]!),
    mode: readNumber(b, 100, 8),
    uid: readNumber(b, 108, 8),
    gid: readNumber(b, 116, 8),
    size: readNumber(b, 124, 12),
    mtime: readNumber(b, 136, 12),
    linkname: readString(b, 157, 100),
    uname: readString(b, 265, 32),
    gname: readString(b, 297, 32),
    devmajor: readNumber(b, 329, 8),
    devminor: readNumber(b, 337, 8),
    ustar: ustar || magic === 'ustar ',
  };
}

export function entryType(flag: string): EntryType | null {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '1':
      return 'link';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
      return 'dir';
    case '6':
      return 'fifo';
    default:
      return null;
  }
}

/** PAX records "len key=value\n": keys as text, values as raw bytes. */
export function decodePax(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < buf.length) {
    if (buf[off] === 0) break;
    const sp = buf.indexOf(32, off);
    if (sp < 0) throw new TarFormatError('malformed PAX record');
    const len = Number(buf.toString('latin1', off, sp));
    if (!Number.isInteger(len) || len <= 0 || off + len > buf.length)
      throw new TarFormatError('malformed PAX record length');
    const rec = buf.subarray(sp + 1, off + len - 1); // without the trailing \n
    const eq = rec.indexOf(61);
    if (eq < 0) throw new TarFormatError('malformed PAX record');
    out.set(rec.toString('utf8', 0, eq), Buffer.from(rec.subarray(eq + 1)));
    off += len;
  }
  return out;
}

/** Apply PAX records to a header. */
export function applyPax(h: TarHeader, pax: Map<string, Buffer>): void {
  for (const [k, v] of pax) {
    const s = () => v.toString('utf8');
    switch (k) {
      case 'path':
        h.name = s();
        break;
      case 'linkpath':
        h.linkname = s();
        break;
      case 'size':
        h.size = Number(s());
        break;
      case 'uid':
        h.uid = Number(s());
        break;
      case 'gid':
        h.gid = Number(s());
        break;
      case 'uname':
        h.uname = s();
        break;
      case 'gname':
        h.gname = s();
        break;
      case 'mtime':
        h.mtime = Number(s());
        break;
      default:
        if (k.startsWith('SCHILY.xattr.')) h.xattrs.set(k.slice('SCHILY.xattr.'.length), v);
        else if (k.startsWith('LIBARCHIVE.xattr.')) {
          h.xattrs.set(
            decodeURIComponent(k.slice('LIBARCHIVE.xattr.'.length)),
            Buffer.from(v.toString('latin1'), 'base64'),
          );
        }
    }
  }
  if (!Number.isFinite(h.size) || h.size < 0) throw new TarFormatError('invalid size in PAX record');
}

// ---- encoding ----

function writeString(b: Buffer, s: string, off: number, len: number): boolean {
  if (!s) return true;
  if (Buffer.byteLength(s, 'utf8') > len) return false;
  b.write(s, off, len, 'utf8');
  return true;
}

function writeOctal(b: Buffer, n: number, off: number, len: number): boolean {
  const s = Math.trunc(n).toString(8);
  if (s.length > len - 1) return false;
  b.write(s.padStart(len - 1, '0') + '\0', off, len, 'latin1');
  return true;
}

const FLAG: Record<EntryType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), 'latin1'), body]);
}

function isAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

/** Split a long name into ustar prefix/name when possible. */
function splitUstar(name: string): [string, string] | null {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest) return [prefix, rest];
  }
  return null;
}

function rawHeader(h: TarHeader, name: string, prefix: string, flag: string, size: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeString(b, name, 0, 100);
  writeOctal(b, h.mode & 0o7777, 100, 8);
  writeOctal(b, Math.min(h.uid, 0o7777777), 108, 8);
  writeOctal(b, Math.min(h.gid, 0o7777777), 116, 8);
  if (!writeOctal(b, size, 124, 12)) writeOctal(b, 0, 124, 12);
  writeOctal(b, Math.max(0, Math.trunc(h.mtime)), 136, 12);
  b.write(flag, 156, 1, 'latin1');
  writeString(b, h.linkname.length <= 100 ? h.linkname : '', 157, 100);
  b.write('ustar\0', 257, 6, 'latin1');
  b.write('00', 263, 2, 'latin1');
  writeString(b, h.uname.slice(0, 31), 265, 32);
  writeString(b, h.gname.slice(0, 31), 297, 32);
  if (h.type === 'char' || h.type === 'block') {
    writeOctal(b, h.devmajor, 329, 8);
    writeOctal(b, h.devminor, 337, 8);
  }
  writeString(b, prefix, 345, 155);
  b.write(checksum(b).toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

/** Zeros that are never written to: padding is a view of them (no allocation per entry). */
const ZEROS = Buffer.alloc(BLOCK);

export function padding(size: number): Buffer {
  const rem = size % BLOCK;
  return ZEROS.subarray(0, rem ? BLOCK - rem : 0);
}

/**
 * Encode the header block(s) for an entry: ustar when it fits (as Go's
 * archive/tar does), with a PAX header first for long or non-ASCII names and
 * link names, large ids or sizes, and extended attributes.
 */
export function encodeHeader(h: TarHeader): Buffer {
  const name = h.type === 'dir' && !h.name.endsWith('/') ? `${h.name}/` : h.name;
  const records: Buffer[] = [];
  let split = isAscii(name) ? splitUstar(name) : null;
  if (!split) {
    records.push(paxRecord('path', Buffer.from(name, 'utf8')));
    split = [
      '',
      Buffer.from(name, 'utf8')
        .subarray(0, 100)
        .toString('latin1')
        .replace(/[^\x20-\x7e]/g, '_'),
    ];
  }
  if (h.linkname && (Buffer.byteLength(h.linkname) > 100 || !isAscii(h.linkname))) {
    records.push(paxRecord('linkpath', Buffer.from(h.linkname, 'utf8')));
  }
  if (h.uid > 0o7777777) records.push(paxRecord('uid', Buffer.from(String(h.uid))));
  if (h.gid > 0o7777777) records.push(paxRecord('gid', Buffer.from(String(h.gid))));
  const size = h.type === 'file' ? h.size : 0;
  if (size > 0o77777777777) records.push(paxRecord('size', Buffer.from(String(size))));
  for (const [k, v] of [...h.xattrs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    records.push(paxRecord(`SCHILY.xattr.${k}`, v));
  }
  const main = rawHeader(h, split[1], split[0], FLAG[h.type], size);
  if (!records.length) return main;
  const pax = Buffer.concat(records);
  const paxName = `PaxHeaders.0/${split[1]}`.slice(0, 100);
  const ph = rawHeader({ ...h, type: 'file', linkname: '' }, paxName, '', 'x', pax.length);
  return Buffer.concat([ph, pax, padding(pax.length), main]);
}

export function newHeader(partial: Partial<TarHeader> & { name: string; type: EntryType }): TarHeader {
  return {
    mode: partial.type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: 0,
    linkname: '',
    uname: '',
    gname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
    ...partial,
  };
}
