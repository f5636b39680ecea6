/** The seam's metric streams over the engine's one sampler. */
import { findContainer, isRunning, stateOf } from '../container/records.js';
import type { Store } from '../store/store.js';
import type { StatsOptions, StatsSample } from '../types.js';
import { pushStream } from './push-stream.js';
import type { StatsSampler } from './sampler.js';

const DEFAULT_INTERVAL_MS = 1000;

/** Samples of one container until it stops (a container that is not running gives none). */
export async function* containerStats(
  store: Store,
  sampler: StatsSampler,
  ref: string,
  o: StatsOptions = {},
): AsyncGenerator<StatsSample> {
  const rec = findContainer(store, ref);
  if (!isRunning(stateOf(store, rec))) return;
  yield* pushStream<StatsSample>(
    (sink) => sampler.subscribeOne(rec.id, o.intervalMs ?? DEFAULT_INTERVAL_MS, sink.push, sink.end, !!o.detail),
    o.signal,
  );
}

/** A batch per interval over every running container. */
export function allStats(sampler: StatsSampler, o: StatsOptions = {}): AsyncGenerator<StatsSample[]> {
  return pushStream<StatsSample[]>(
    (sink) => sampler.subscribeAll(o.intervalMs ?? DEFAULT_INTERVAL_MS, sink.push, sink.end, !!o.detail),
    o.signal,
  );
}
