/**
 * Every running container's stats at the lists' beat (every 2 s, and at the
 * idle beat):
 * one reading per container per period, asked for as a one-shot
 * (`stream=false&one-shot=true`) over a few kept-alive connections, rather
 * than a stream per container that the engine writes to once a second
 * whether or not anyone looks (about 1.7 KB/s per container on the link).
 * The CPU figure is the share over the whole period, from this container's
 * reading one round before (the engine's own previous reading where it
 * sends one): the first round only takes that reference, and a container
 * appears from the second round it is seen in. Which containers run is
 * known as in the streaming mode: a list, again when the engine's events
 * say a container started, and every minute as a backstop; a reading that
 * says the container stopped (or a 404) drops it.
 */
import { isBerthError } from '../errors.js';
import type { StatsOptions, StatsSample } from '../types/streams.js';
import type { Connection } from './connection.js';
import { emptyReading, statsSample } from './convert.js';
import { events } from './streams.js';

/**
 * From this period on (ms), readings are asked for once per period instead of streamed: the lists'
 * 2 s beat already (a stream per running container holds a connection each, over ssh an ssh process
 * and a channel each; a round holds AT_ONCE), so only the Stats tab's 1 s beat streams.
 */
export const ROUNDS_FROM_MS = 2000;
/** The list of running containers is looked at again at least this often (a backstop for the events). */
const RELIST_MS = 60_000;
/** Readings asked for at once in a round (each holds a connection: over ssh, a channel). */
const AT_ONCE = 4;

type Json = Record<string, unknown> & { cpu_stats?: Json; precpu_stats?: Json };

/** Wait `ms` or until the signal fires; its listener goes with the wait (a round every period must not pile them up). */
const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export async function* statsRounds(
  conn: Connection,
  every: number,
  o: StatsOptions = {},
): AsyncGenerator<StatsSample[]> {
  const outer = new AbortController();
  const stop = () => outer.abort();
  o.signal?.addEventListener('abort', stop, { once: true });
  const signal = outer.signal;
  /** The containers running at the last look, with their reading of the round before. */
  const known = new Map<string, { name: string; prev: Json | null }>();
  let stale = true;
  let listedAt = 0;
  const starts = new Map([
    ['type', ['container']],
    ['event', ['start', 'unpause', 'restart']],
  ]);
  void (async () => {
    try {
      for await (const _ of events(conn, { filters: starts, signal })) stale = true;
    } catch {
      // no events (or the link went): the backstop list goes on
    }
  })();

  const read = async (
    id: string,
    entry: { name: string; prev: Json | null },
    round: AbortSignal,
  ): Promise<StatsSample | null> => {
    let r: Json;
    try {
      r = (await conn.json('GET', `/containers/${encodeURIComponent(id)}/stats`, {
        query: { stream: false, 'one-shot': true },
        signal: round,
      })) as Json;
    } catch (e) {
      if (isBerthError(e, 'UNAVAILABLE') || isBerthError(e, 'CANCELLED')) throw e;
      known.delete(id); // gone meanwhile (404), or no readings for it: the next list says
      return null;
    }
    if (!r || emptyReading(r)) {
      known.delete(id);
      return null;
    }
    const prev = entry.prev;
    entry.prev = r.cpu_stats ?? null;
    const pre = r.precpu_stats as { system_cpu_usage?: number } | undefined;
    if (pre?.system_cpu_usage) return statsSample(id, entry.name, r);
    return prev ? statsSample(id, entry.name, { ...r, precpu_stats: prev }) : null;
  };

  try {
    for (let round = 0; !signal.aborted; round++) {
      if (stale || Date.now() - listedAt >= RELIST_MS) {
        stale = false;
        listedAt = Date.now();
        const list = (await conn.json('GET', '/containers/json', { signal })) as { Id: string; Names?: string[] }[];
        const ids = new Set(list.map((c) => c.Id));
        for (const id of known.keys()) if (!ids.has(id)) known.delete(id);
        for (const c of list)
          if (!known.has(c.Id)) known.set(c.Id, { name: (c.Names?.[0] ?? '').replace(/^\//, ''), prev: null });
      }
      const todo = [...known];
      const batch: StatsSample[] = [];
      // the round's requests listen to a signal of the round's (one listener on the long-lived one)
      const roundCtl = new AbortController();
      const endRound = () => roundCtl.abort();
      signal.addEventListener('abort', endRound, { once: true });
      try {
        await Promise.all(
          Array.from({ length: Math.min(AT_ONCE, todo.length) }, async () => {
            for (let next = todo.shift(); next && !signal.aborted; next = todo.shift()) {
              const s = await read(next[0], next[1], roundCtl.signal);
              if (s) batch.push(s);
            }
          }),
        );
      } finally {
        signal.removeEventListener('abort', endRound);
      }
      if (signal.aborted) return;
      // the first round is the reference the CPU shares are counted from
      if (round > 0) yield batch.sort((a, b) => a.id.localeCompare(b.id));
      await pause(every, signal);
    }
  } catch (e) {
    if (signal.aborted && isBerthError(e, 'CANCELLED')) return;
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', stop);
    outer.abort();
  }
}
