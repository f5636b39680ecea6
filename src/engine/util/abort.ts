/**
 * Waiting on an AbortSignal without leaving anything on it. A follower
 * (a log, the event feed, the stats stream) waits thousands of times on one
 * long-lived signal; each wait must take its listener off when it ends,
 * however it ends. `timers/promises`' setTimeout with a signal does not when
 * something else ends the wait first (its listener stays until its own timer
 * fires), which is how the app gathered "11 abort listeners added to
 * [AbortSignal]" while following a chatty log.
 */

/**
 * Call `fn` once when the signal fires (at once, synchronously, if it already
 * has). Returns what takes the listener off; calling it again does nothing.
 */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    fn();
    return () => undefined;
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

/**
 * Wait until `ms` have passed, the signal fires, or `arm`'s wake function is
 * called, whichever is first; resolves (never rejects) and leaves no timer
 * and no listener behind. `arm` receives the function that ends the wait
 * early (a file watcher calls it on a change).
 */
export function waitUntil(ms: number, signal?: AbortSignal, arm?: (wake: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    let off: (() => void) | null = null;
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      off?.();
      resolve();
    };
    off = onAbort(signal, end);
    if (done) return;
    if (Number.isFinite(ms)) timer = setTimeout(end, Math.max(0, ms));
    arm?.(end);
  });
}
