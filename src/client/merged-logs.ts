/**
 * Several containers' logs as one stream, as `docker-compose logs -f` shows
 * a project's: first the backlog of each (its last `tail` lines) merged in
 * time order, then every new line as it comes, each line tagged with the
 * index of its container. The follow phase of each container starts at the
 * time of the last line of its backlog and skips what the backlog had, so
 * no line is shown twice or lost between the two.
 */
import { pushStream } from '../engine/util/push-stream.js';
import type { Backend, LogLine } from './api.js';

export interface SourcedLine extends LogLine {
  /** Index of the container in the list given. */
  source: number;
}

export interface MergedLogOptions {
  tail?: number;
  follow?: boolean;
  signal?: AbortSignal;
}

/** Lines of several logs, each already in time order, in one time order (stable: equal times keep the list order). */
export function mergeByTime(logs: readonly (readonly SourcedLine[])[]): SourcedLine[] {
  const all = logs.flat();
  const order = new Map(all.map((l, i) => [l, i]));
  return all.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : order.get(a)! - order.get(b)!));
}

/** A time in nanoseconds as the `since` docker takes ("1700000000.123456789"). */
export const sinceOf = (ns: bigint) => `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;

export async function* mergedLogs(
  backend: Backend,
  refs: readonly string[],
  o: MergedLogOptions = {},
): AsyncGenerator<SourcedLine> {
  const signal = o.signal;
  const backlogs = await Promise.all(
    refs.map(async (ref, source) => {
      const out: SourcedLine[] = [];
      const opts = { ...(o.tail !== undefined ? { tail: o.tail } : {}), ...(signal ? { signal } : {}) };
      for await (const l of backend.containerLogs(ref, opts)) out.push({ ...l, source });
      return out;
    }),
  );
  yield* mergeByTime(backlogs);
  if (!o.follow || signal?.aborted) return;

  // follow every log at once; lines are handed on in the order they arrive (the operation's signal ends them all
  // when the consumer stops or the caller's signal fires)
  yield* pushStream<SourcedLine>(
    (emit, sig) =>
      Promise.all(
        refs.map(async (ref, source) => {
          const backlog = backlogs[source]!;
          const last = backlog.length ? backlog[backlog.length - 1]!.timeNs : null;
          // `since` takes lines at that very time too: skip the ones the backlog had
          let seen = last === null ? 0 : backlog.filter((l) => l.timeNs === last).length;
          const opts = { follow: true, ...(last !== null ? { since: sinceOf(last) } : {}), signal: sig };
          try {
            for await (const l of backend.containerLogs(ref, opts)) {
              if (last !== null && l.timeNs < last) continue;
              if (last !== null && l.timeNs === last && seen > 0) {
                seen--;
                continue;
              }
              emit({ ...l, source });
            }
          } catch (e) {
            if (!sig.aborted) throw e;
          }
        }),
      ),
    signal,
  );
}
