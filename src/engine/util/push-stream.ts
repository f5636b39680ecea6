/**
 * An operation that pushes items through `emit`, read as an AsyncIterable:
 * it ends when the operation ends and throws its error; nothing is dropped;
 * when the consumer stops early (or the outer signal fires) the operation's
 * signal aborts and the iterable waits for it to finish.
 */
import { BerthError } from '../errors.js';

export interface PushStreamOptions {
  /** The CANCELLED message when the outer signal has already fired ("cancelled"). */
  cancelled?: string;
  /** The error when the operation rejects with nothing ("failed"). */
  failed?: string;
  /** Carry abort reasons: the outer signal's to the operation, and CANCELLED when the consumer stops. */
  reasons?: boolean;
}

export async function* pushStream<T>(
  run: (emit: (item: T) => void, signal: AbortSignal) => Promise<unknown>,
  outer?: AbortSignal,
  o: PushStreamOptions = {},
): AsyncGenerator<T> {
  const ctl = new AbortController();
  const onAbort = () => (o.reasons ? ctl.abort(outer?.reason) : ctl.abort());
  if (outer?.aborted) throw new BerthError('CANCELLED', o.cancelled ?? 'cancelled');
  outer?.addEventListener('abort', onAbort, { once: true });
  const queue: T[] = [];
  let done = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const task = run((item) => {
    queue.push(item);
    notify();
  }, ctl.signal).then(
    () => {
      done = true;
      notify();
    },
    (e: unknown) => {
      done = true;
      failure = e ?? new Error(o.failed ?? 'failed');
      notify();
    },
  );
  try {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (done) {
        if (failure) throw failure;
        return;
      }
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    outer?.removeEventListener('abort', onAbort);
    if (!done) {
      if (o.reasons) ctl.abort(new BerthError('CANCELLED', o.cancelled ?? 'cancelled'));
      else ctl.abort();
      await task;
    }
  }
}
