/**
 * Progress as the one typed stream of DESIGN.md section 9: an operation
 * writes docker's JSON messages through `emit`; the caller reads them as an
 * AsyncIterable that ends when the operation ends and throws its error.
 * Nothing is dropped (the messages are few: byte counts are throttled at
 * the source); the iterable stops the operation when the consumer stops.
 */
import { pushStream } from '../util/push-stream.js';
import type { ProgressMessage } from '../types.js';

export type Emit = (m: ProgressMessage) => void;

export function progressStream(
  run: (emit: Emit, signal: AbortSignal) => Promise<void>,
  outer?: AbortSignal,
): AsyncGenerator<ProgressMessage> {
  return pushStream(run, outer);
}

/** Byte counts for one line, at most every `ms` (the first and the last always go). */
export function throttle(ms = 100): (force?: boolean) => boolean {
  let last = 0;
  return (force = false) => {
    const now = Date.now();
    if (!force && now - last < ms) return false;
    last = now;
    return true;
  };
}

/** docker's stringid.TruncateID: the first 12 hex digits. */
export const shortId = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);
