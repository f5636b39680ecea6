/**
 * ADD's archive test (docker's isArchivePath): a regular file whose bytes,
 * after any compression its magic bytes show (gzip, bzip2, xz, zstd), start
 * with a readable tar header. Anything else is copied as a file.
 */
import { createReadStream } from 'node:fs';
import { autoDecompress } from '../../archive/compression.js';
import { readTar } from '../../tar/reader.js';

export async function openArchiveStream(host: string): Promise<boolean> {
  const stream = createReadStream(host, { highWaterMark: 64 * 1024 });
  try {
    const { data } = await autoDecompress(stream);
    const it = readTar(data, { drainTail: false })[Symbol.asyncIterator]();
    const first = await it.next();
    await it.return?.(undefined);
    return !first.done;
  } catch {
    return false;
  } finally {
    stream.destroy();
  }
}

/** The decompressed bytes of an archive, for extraction. */
export async function archiveBytes(host: string): Promise<AsyncIterable<Buffer>> {
  const { data } = await autoDecompress(createReadStream(host, { highWaterMark: 1 << 20 }));
  return data;
}
