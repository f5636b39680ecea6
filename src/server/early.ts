/**
 * Streams whose first step validates their arguments (the engine's
 * generators check filters and times synchronously when they start): a bad
 * argument must become a 400 before the stream's head is written. This
 * starts the first step and waits one turn of the event loop for it to
 * fail; the step itself keeps running and is awaited by the caller.
 */
export async function firstStep<T>(it: AsyncIterator<T>): Promise<{ first: Promise<IteratorResult<T>> }> {
  const first = it.next();
  const failed = await Promise.race([
    first.then(
      () => null,
      (e: unknown) => ({ e }),
    ),
    new Promise<null>((r) => setImmediate(() => r(null))),
  ]);
  if (failed) throw failed.e;
  // wrapped: an async function returning a promise would wait for it
  return { first };
}
