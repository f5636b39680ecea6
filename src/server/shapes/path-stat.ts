/** The `X-Docker-Container-Path-Stat` header: a path's stat as Go's os.FileMode and JSON, base64. Pure. */
import type { PathStat } from '../../client/api.js';

const S_IFMT = 0o170000;
const TYPE_BITS: Record<number, number> = {
  0o040000: 2 ** 31, // directory
  0o120000: 2 ** 27, // symlink
  0o010000: 2 ** 25, // named pipe
  0o140000: 2 ** 24, // socket
  0o060000: 2 ** 26, // block device
  0o020000: 2 ** 26 + 2 ** 21, // character device
};

/** A unix st_mode as Go's os.FileMode. */
export function goFileMode(mode: number): number {
  let m = mode & 0o777;
  if (mode & 0o4000) m += 2 ** 23;
  if (mode & 0o2000) m += 2 ** 22;
  if (mode & 0o1000) m += 2 ** 20;
  return m + (TYPE_BITS[mode & S_IFMT] ?? 0);
}

export function pathStatHeader(st: PathStat): string {
  const doc = { name: st.name, size: st.size, mode: goFileMode(st.mode), mtime: st.mtime, linkTarget: st.linkTarget };
  return Buffer.from(JSON.stringify(doc)).toString('base64');
}
