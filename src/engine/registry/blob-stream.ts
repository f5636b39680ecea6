/**
 * A blob's bytes as one stream however often the connection breaks: a body
 * cut off mid-transfer is resumed with a Range request from the byte where
 * it stopped (or, when the registry ignores Range, read again from the start
 * with the bytes already passed on skipped). Foreign layers come from their
 * `urls` first. Never yields more than the descriptor's size.
 */
import type { Readable } from 'node:stream';
import { BerthError } from '../errors.js';
import { chunksOf } from '../util/stream-chunks.js';
import type { Repository } from './client.js';
import { discard, isTransient, MAX_ATTEMPTS, retryDelay, type HttpResponse } from './http.js';
import type { Descriptor } from './manifest.js';

export class TruncatedBody extends Error {
  code = 'UND_ERR_SOCKET';
}

function resumable(e: unknown): boolean {
  return (
    e instanceof TruncatedBody ||
    isTransient(e) ||
    (e as { code?: string })?.code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function verificationFailed(digest: string): BerthError {
  return new BerthError('DIGEST_MISMATCH', `filesystem layer verification failed for digest ${digest}`);
}

export async function* blobStream(
  repo: Repository,
  desc: Descriptor,
  signal?: AbortSignal,
  onRetry?: (offset: number, attempt: number) => void,
): AsyncGenerator<Buffer> {
  let offset = 0;
  let failures = 0;
  const sources = [...(desc.urls ?? []).filter((u) => /^https?:\/\//.test(u)), undefined];
  let source = 0;
  for (;;) {
    if (signal?.aborted) throw new BerthError('CANCELLED', 'cancelled');
    let res: HttpResponse;
    try {
      res = await repo.getBlob(desc.digest, offset, signal, sources[source]);
    } catch (e) {
      if (source < sources.length - 1 && !(e instanceof BerthError && e.code === 'CANCELLED')) {
        source++; // a foreign layer's URL failed: the next one, then the registry
        continue;
      }
      if (resumable((e as { cause?: unknown })?.cause ?? e) && ++failures < MAX_ATTEMPTS) {
        onRetry?.(offset, failures);
        await sleep(retryDelay(failures));
        continue;
      }
      throw e;
    }
    let skip = offset > 0 && res.status === 200 ? offset : 0;
    try {
      for await (const chunk of chunksOf(res.body as Readable)) {
        let c = chunk;
        if (skip) {
          if (c.length <= skip) {
            skip -= c.length;
            continue;
          }
          c = c.subarray(skip);
          skip = 0;
        }
        if (offset + c.length > desc.size) {
          discard(res.body);
          throw verificationFailed(desc.digest);
        }
        offset += c.length;
        yield c;
      }
      if (offset < desc.size)
        throw new TruncatedBody(`blob ${desc.digest} ended after ${offset} of ${desc.size} bytes`);
      return;
    } catch (e) {
      if (e instanceof BerthError) throw e;
      if (signal?.aborted) throw new BerthError('CANCELLED', 'cancelled', { cause: e });
      if (resumable(e) && ++failures < MAX_ATTEMPTS) {
        onRetry?.(offset, failures);
        await sleep(retryDelay(failures));
        continue;
      }
      if (e instanceof TruncatedBody)
        throw new BerthError('IO', `unexpected EOF while downloading ${desc.digest}`, { cause: e });
      throw new BerthError('IO', `read ${desc.digest}: ${(e as Error).message}`, { cause: e });
    }
  }
}
