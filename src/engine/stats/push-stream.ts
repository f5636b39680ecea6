/**
 * A push source (the sampler calls back) as an AsyncIterable that stops when
 * the signal fires or the consumer breaks out. A slow consumer loses the
 * oldest items beyond `bound`: samples carry cumulative counters, so a
 * skipped one loses nothing a later one does not say.
 */
import { onAbort } from '../util/abort.js';

export interface Sink<T> {
  push(value: T): void;
  end(error?: unknown): void;
}

export async function* pushStream<T>(
  start: (sink: Sink<T>) => () => void,
  signal?: AbortSignal,
  bound = 8,
): AsyncGenerator<T> {
  if (signal?.aborted) return;
  const queue: T[] = [];
  let done = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const sink: Sink<T> = {
    push(value) {
      if (done) return;
      if (queue.length >= bound) queue.shift();
      queue.push(value);
      notify();
    },
    end(error) {
      done = true;
      failure = error ?? null;
      notify();
    },
  };
  const off = onAbort(signal, () => {
    queue.length = 0;
    sink.end();
  });
  let stop: (() => void) | null = null;
  try {
    stop = start(sink);
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (done) {
        if (failure) throw failure;
        return;
      }
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    stop?.();
    off();
  }
}
