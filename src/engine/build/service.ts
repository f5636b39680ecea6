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
import { pushStream } from '../util/push-stream.js';
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
export function buildStream(
  store: Store,
  req: BuildRequest,
  opts: { signal?: AbortSignal; pull?: Puller } = {},
): AsyncGenerator<ProgressMessage> {
  return pushStream<ProgressMessage>(
    (emit, signal) => runBuild({ store, resolveImage: resolver(store, opts.pull) }, req, emit, signal),
    opts.signal,
    { cancelled: 'build cancelled', failed: 'build failed', reasons: true },
  );
}
