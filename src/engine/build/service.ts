/**
 * The build as the Engine offers it: a stream of progress messages that
 * ends with the image ID (or throws the build's error), the build stopping
 * when the consumer stops or the signal fires; and the cache's disk usage
 * and pruning. Base images come from the store (a pull once the engine has
 * a registry client).
 */
import { BerthError } from '../errors.js';
import { imageConfig } from '../image/config.js';
import type { Platform } from '../image/platform.js';
import { formatPlatform } from './plan/args.js';
import { tryResolveImage } from '../image/resolve.js';
import { normalizedString, parseReference, withDefaultTag } from '../reference/reference.js';
import type { Store } from '../store/store.js';
import { runBuild, type BuildRequest } from './exec/build.js';
import type { BaseImage } from './plan/dispatch.js';
import type { Emit, ProgressMessage } from './progress.js';

/** The engine's pull (docker's progress messages through `emit`). */
export type Puller = (ref: string, platform: string, emit: Emit, signal: AbortSignal) => Promise<void>;

export function storeImage(store: Store, ref: string): BaseImage | null {
  const r = tryResolveImage(store.images, ref);
  if (!r) return null;
  let name = ref;
  try {
    name = normalizedString(withDefaultTag(parseReference(ref)));
  } catch {
    /* an ID */
  }
  return { id: r.id, name, config: imageConfig(store, r.id) };
}

export function resolver(store: Store, pull?: Puller) {
  return async (ref: string, platform: Platform, wantPull: boolean, emit: Emit, signal: AbortSignal) => {
    const have = wantPull ? null : storeImage(store, ref);
    if (have) return have;
    let name = ref;
    try {
      name = normalizedString(withDefaultTag(parseReference(ref)));
    } catch {
      /* shown as typed */
    }
    if (pull) {
      try {
        await pull(ref, formatPlatform(platform), emit, signal);
      } catch (e) {
        if (e instanceof BerthError && e.code === 'CANCELLED') throw e;
        throw new BerthError(
          e instanceof BerthError ? e.code : 'IO',
          `${ref}: failed to resolve source metadata for ${name}: ${(e as Error).message}`,
          { cause: e },
        );
      }
      const got = storeImage(store, ref);
      if (got) return got;
    }
    throw new BerthError('NOT_FOUND', `${ref}: failed to resolve source metadata for ${name}: no such image`);
  };
}

/** The build as a stream: progress messages, then the image ID (`{aux: {ID}}`). */
export async function* buildStream(
  store: Store,
  req: BuildRequest,
  opts: { signal?: AbortSignal; pull?: Puller } = {},
): AsyncGenerator<ProgressMessage> {
  const ctl = new AbortController();
  const outer = opts.signal;
  const onAbort = () => ctl.abort(outer?.reason);
  if (outer?.aborted) throw new BerthError('CANCELLED', 'build cancelled');
  outer?.addEventListener('abort', onAbort, { once: true });
  const queue: ProgressMessage[] = [];
  let done = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const task = runBuild(
    { store, resolveImage: resolver(store, opts.pull) },
    req,
    (m) => {
      queue.push(m);
      notify();
    },
    ctl.signal,
  ).then(
    () => {
      done = true;
      notify();
    },
    (e: unknown) => {
      done = true;
      failure = e ?? new Error('build failed');
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
      ctl.abort(new BerthError('CANCELLED', 'build cancelled'));
      await task;
    }
  }
}
