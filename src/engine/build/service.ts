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
import { tryResolveImage } from '../image/resolve.js';
import { normalizedString, parseReference, withDefaultTag } from '../reference/reference.js';
import type { Store } from '../store/store.js';
import { runBuild, type BuildRequest } from './exec/build.js';
import type { BaseImage } from './plan/dispatch.js';
import type { Emit, ProgressMessage } from './progress.js';

/** A pull the engine can do (wired once the registry client exists). */
export type Puller = (ref: string, platform: Platform, emit: Emit, signal: AbortSignal) => Promise<string>;

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
    if (pull) {
      await pull(ref, platform, emit, signal);
      const got = storeImage(store, ref);
      if (got) return got;
    }
    if (wantPull && !pull) {
      const local = storeImage(store, ref);
      if (local) return local;
    }
    let name = ref;
    try {
      name = normalizedString(withDefaultTag(parseReference(ref)));
    } catch {
      /* shown as typed */
    }
    throw new BerthError(
      'NOT_FOUND',
      `${ref}: failed to resolve source metadata for ${name}: no such image in the store (load it with berth load; berth cannot pull it)`,
    );
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
