/**
 * The remote backend's streams: logs (demuxed, timestamps split off, lines
 * whole), a container's stats stream, every running container's stats as
 * batches, and the event feed. Each ends when its signal fires; a dropped
 * link throws UNAVAILABLE from the iterable.
 */
import { filtersJson, type Connection } from './connection.js';
import { apiTime, emptyReading, engineEvent, statsSample } from './convert.js';
import { Demuxer, LineSplitter, splitTimestamp } from './mux.js';
import type { LogLine, LogOptions } from '../types/containers.js';
import type { EngineEvent, EventOptions, StatsOptions, StatsSample } from '../types/streams.js';

export async function* logs(conn: Connection, ref: string, tty: boolean, o: LogOptions = {}): AsyncGenerator<LogLine> {
  const query = {
    stdout: o.stdout ?? true,
    stderr: o.stderr ?? true,
    timestamps: true,
    follow: !!o.follow,
    tail: o.tail === undefined ? 'all' : String(o.tail),
    since: apiTime(o.since),
    until: apiTime(o.until),
  };
  const demux = tty ? null : new Demuxer();
  const split = { 1: new LineSplitter(), 2: new LineSplitter() };
  const line = (stream: 1 | 2, l: string): LogLine => {
    const t = splitTimestamp(l);
    return { stream: stream === 2 ? 'stderr' : 'stdout', time: t.time, timeNs: t.timeNs, text: t.text };
  };
  const chunks = conn.chunks('GET', `/containers/${encodeURIComponent(ref)}/logs`, {
    query,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  for await (const c of chunks) {
    const frames = demux ? demux.push(c) : [{ stream: 1 as const, data: c }];
    for (const f of frames) {
      if (f.stream !== 1 && f.stream !== 2) continue;
      for (const l of split[f.stream].push(f.data.toString('utf8'))) yield line(f.stream, l);
    }
  }
  for (const s of [1, 2] as const) for (const l of split[s].flush()) yield line(s, l);
}

/** One container's readings, at most one per interval, until it stops or the signal fires. */
export async function* containerStats(
  conn: Connection,
  id: string,
  name: string,
  o: StatsOptions = {},
): AsyncGenerator<StatsSample> {
  const every = Math.max(100, o.intervalMs ?? 1000);
  let last = 0;
  const readings = conn.jsonLines('GET', `/containers/${encodeURIComponent(id)}/stats`, {
    query: { stream: true },
    ...(o.signal ? { signal: o.signal } : {}),
  });
  for await (const r of readings) {
    if (emptyReading(r)) return;
    const s = statsSample(id, name, r);
    // the engine reads once a second; a longer interval takes the readings due
    if (s.time - last < every - 50) continue;
    last = s.time;
    yield s;
  }
}

/** The list of running containers is looked at again at least this often (a backstop for the events). */
const RELIST_MS = 30_000;

/**
 * Every running container's latest reading, one batch per interval: a
 * stats stream per running container, so one that stops drops out (its
 * stream ends). A container that starts joins when the engine's events say
 * so (one quiet connection), rather than by listing the containers each
 * interval, which cost the link 0.7 KB per running container every beat;
 * the list is looked at again every 30 s as a backstop.
 */
export async function* allStats(conn: Connection, o: StatsOptions = {}): AsyncGenerator<StatsSample[]> {
  const every = Math.max(100, o.intervalMs ?? 1000);
  const outer = new AbortController();
  const stop = () => outer.abort();
  o.signal?.addEventListener('abort', stop, { once: true });
  const running = new Map<string, { ctl: AbortController; latest: StatsSample | null }>();
  // a stream that fails leaves its container out for a while (an engine or link that takes no more
  // streams); the list is looked at again at once, and a link that is gone fails that
  const failedAt = new Map<string, number>();
  let stale = true;
  const follow = (id: string, name: string) => {
    const ctl = new AbortController();
    const entry = { ctl, latest: null as StatsSample | null };
    running.set(id, entry);
    void (async () => {
      try {
        for await (const s of containerStats(conn, id, name, { signal: ctl.signal })) entry.latest = s;
      } catch {
        if (!ctl.signal.aborted) {
          failedAt.set(id, Date.now());
          stale = true;
        }
      } finally {
        running.delete(id);
      }
    })();
  };
  // one listener ends every stream (one per stream warned past 10 running containers)
  outer.signal.addEventListener('abort', () => running.forEach((e) => e.ctl.abort()), { once: true });
  let listedAt = 0;
  const starts = new Map([
    ['type', ['container']],
    ['event', ['start', 'unpause', 'restart']],
  ]);
  void (async () => {
    try {
      for await (const _ of events(conn, { filters: starts, signal: outer.signal })) stale = true;
    } catch {
      // no events (or the link went): the backstop list goes on
    }
  })();
  try {
    while (!outer.signal.aborted) {
      if (stale || Date.now() - listedAt >= RELIST_MS) {
        stale = false;
        listedAt = Date.now();
        const list = (await conn.json('GET', '/containers/json', {
          signal: outer.signal,
        })) as { Id: string; Names?: string[] }[];
        const ids = new Set(list.map((c) => c.Id));
        for (const [id, e] of running) if (!ids.has(id)) e.ctl.abort();
        for (const c of list) {
          if (running.has(c.Id) || Date.now() - (failedAt.get(c.Id) ?? -RELIST_MS) < RELIST_MS) continue;
          follow(c.Id, (c.Names?.[0] ?? '').replace(/^\//, ''));
        }
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, every);
        outer.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
      if (outer.signal.aborted) return;
      yield [...running.values()].flatMap((e) => (e.latest ? [e.latest] : []));
    }
  } catch (e) {
    if (outer.signal.aborted && (e as { code?: string }).code === 'CANCELLED') return;
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', stop);
    outer.abort();
  }
}

export async function* events(conn: Connection, o: EventOptions = {}): AsyncGenerator<EngineEvent> {
  const msgs = conn.jsonLines(
    'GET',
    '/events',
    {
      query: { since: apiTime(o.since), until: apiTime(o.until), filters: filtersJson(o.filters) },
      ...(o.signal ? { signal: o.signal } : {}),
    },
    // nanoseconds since the epoch do not fit a double: kept as the digits they are
    (line) => line.replace(/"timeNano":(\d+)/, '"timeNano":"$1"'),
  );
  for await (const m of msgs) yield engineEvent(m);
}
