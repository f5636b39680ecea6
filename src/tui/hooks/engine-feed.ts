/**
 * The lists following the engine: a first load of each list the first frame
 * shows (none waits for another, so the first frame is not held by the
 * slowest), then, once that frame is drawn, the networks list and the event
 * feed (changes made by any process on this store, from the start) triggering a refresh of
 * the lists an event touches. A slow poll (five minutes: listing hundreds of
 * containers and images costs some 60 ms) backs the feed up, for a change
 * no event told of (a monitor killed outright); a container that ends with
 * nobody there to record it leaves the stats stream, which lists the
 * containers at once. Where the backend has no feed, the poll
 * runs every second. A refresh that finds the
 * same list as before changes nothing, so an idle app does not redraw.
 */
import { isBerthError, type Backend, type BerthError, type EngineEvent } from '../../client/api.js';
import type { Store } from '../state/store.js';
import type { ListId } from '../state/types.js';

export interface FeedOptions {
  /** Poll period when the backend has an event feed (backstop), ms. */
  backstopMs?: number;
  /** Poll period without an event feed, ms. */
  pollMs?: number;
  /** Coalesce bursts of events, ms. */
  debounceMs?: number;
}

export type FeedMode = 'starting' | 'events' | 'polling';

/** The lists the first frame shows: loaded first, before anything else the app starts. */
export const FIRST_FRAME_LISTS: ListId[] = ['containers', 'images', 'volumes'];

/** Which lists an event can change. */
export function listsTouched(e: Pick<EngineEvent, 'Type' | 'Action'>): ListId[] {
  switch (e.Type) {
    case 'container':
      // volumes list their users; images count the containers using them
      return e.Action.startsWith('exec_') || e.Action === 'top' || e.Action === 'export'
        ? []
        : ['containers', 'volumes'];
    case 'network':
      // a network lists its running containers; a container its networks and ports
      return ['networks', 'containers'];
    case 'image':
      return e.Action === 'save' ? [] : ['images'];
    case 'volume':
      return e.Action === 'mount' || e.Action === 'unmount' ? [] : ['volumes'];
    default:
      return ['containers', 'images', 'volumes', 'networks'];
  }
}

export class EngineFeed {
  mode: FeedMode = 'starting';
  /** The wait before the event feed is taken up again after a remote link went down (doubles to 30 s). */
  private relinkMs = 1000;
  /** A retry of the link is scheduled. */
  private relinking = false;
  private readonly abort = new AbortController();
  private readonly signatures = new Map<ListId, string>();
  private readonly inflight = new Map<ListId, Promise<void>>();
  private readonly again = new Set<ListId>();
  private readonly pending = new Set<ListId>();
  private debounce: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  /** A refresh of the containers whose status the backend gives as words (no start times to count from). */
  private wordsAge: NodeJS.Timeout | null = null;
  private readonly o: Required<FeedOptions>;

  constructor(
    private readonly backend: Backend,
    private readonly store: Store,
    o: FeedOptions = {},
  ) {
    this.o = { backstopMs: 300_000, pollMs: 1000, debounceMs: 40, ...o };
  }

  /**
   * The first load of the lists the first frame shows (its header counts them), then the rest, once
   * that frame is drawn: the networks list (which the header also counts: it shows a moment later)
   * and the event feed. Resolves when the first frame's lists are in the store.
   */
  start(): Promise<void> {
    // the feed is taken up after the first frame, from now: what changes meanwhile is replayed
    const since = Date.now();
    const first = Promise.all(FIRST_FRAME_LISTS.map((l) => this.refresh(l)));
    void first.then(() =>
      setImmediate(() => {
        if (this.abort.signal.aborted) return;
        void this.refresh('networks');
        void this.follow(since);
      }),
    );
    return first.then(() => undefined);
  }

  stop(): void {
    this.abort.abort();
    if (this.debounce) clearTimeout(this.debounce);
    if (this.poll) clearInterval(this.poll);
    if (this.wordsAge) clearTimeout(this.wordsAge);
  }

  /** Load a list now; resolves when the store has it. Overlapping calls share one load and queue one more. */
  refresh(list: ListId): Promise<void> {
    const cur = this.inflight.get(list);
    if (cur) {
      this.again.add(list);
      return cur.then(() => this.inflight.get(list) ?? undefined);
    }
    const p = this.load(list).finally(() => {
      this.inflight.delete(list);
      if (this.again.delete(list) && !this.abort.signal.aborted) void this.refresh(list);
    });
    this.inflight.set(list, p);
    return p;
  }

  private async load(list: ListId): Promise<void> {
    try {
      const items =
        list === 'containers'
          ? await this.backend.listContainers({ all: true })
          : list === 'images'
            ? await this.backend.listImages()
            : list === 'networks'
              ? await this.backend.listNetworks()
              : await this.backend.listVolumes();
      if (this.abort.signal.aborted) return;
      if (this.store.get().linkDown !== null) this.store.dispatch({ type: 'link', down: null });
      if (list === 'containers') this.refreshWords(items as { State: string; StartedAt: string }[]);
      const sig = JSON.stringify(items);
      if (this.signatures.get(list) === sig && this.store.get().data[list] !== null) return;
      this.signatures.set(list, sig);
      this.store.dispatch({ type: 'data', list, items } as Parameters<Store['dispatch']>[0]);
    } catch (e) {
      if (this.abort.signal.aborted) return;
      if (isBerthError(e, 'UNAVAILABLE')) return this.linkLost(e);
      this.store.dispatch({ type: 'message', message: { kind: 'error', text: `${list}: ${(e as Error).message}` } });
    }
  }

  /**
   * The link to a remote engine is down (a load or the feed said so): the header says so, the
   * polls stop, and the link is tried again after 1 s, then 2, 4, ... up to 30 s; a retry that
   * reaches the engine loads every list and takes the feed up again.
   */
  private linkLost(e: BerthError): void {
    this.store.dispatch({ type: 'link', down: e.message });
    if (this.relinking) return;
    this.relinking = true;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    const wait = this.relinkMs;
    this.relinkMs = Math.min(this.relinkMs * 2, 30_000);
    this.store.dispatch({
      type: 'message',
      message: { kind: 'error', text: `${e.message}; reconnecting in ${Math.round(wait / 1000)}s` },
    });
    const t = setTimeout(() => void this.relink(), wait);
    t.unref?.();
    this.abort.signal.addEventListener('abort', () => clearTimeout(t), { once: true });
  }

  private async relink(): Promise<void> {
    this.relinking = false;
    if (this.abort.signal.aborted) return;
    // a load that fails again schedules the next try (linkLost)
    await this.refresh('containers');
    if (this.abort.signal.aborted || this.store.get().linkDown !== null) return;
    this.relinkMs = 1000;
    if (this.store.get().message?.text.includes('; reconnecting in '))
      this.store.dispatch({ type: 'message', message: null });
    for (const l of ['images', 'volumes', 'networks'] as const) void this.refresh(l);
    void this.follow();
  }

  /**
   * A remote engine's list says "Up 5 minutes" rather than when the container started: while one
   * is running, the list is loaded again every minute so the words do not go stale (an embedded
   * engine's rows count from StartedAt themselves).
   */
  private refreshWords(items: { State: string; StartedAt: string }[]): void {
    if (this.wordsAge || !items.some((c) => c.State === 'running' && !c.StartedAt)) return;
    this.wordsAge = setTimeout(() => {
      this.wordsAge = null;
      if (!this.abort.signal.aborted) this.schedule(['containers']);
    }, 60_000);
    this.wordsAge.unref?.();
  }

  private schedule(lists: ListId[]): void {
    for (const l of lists) this.pending.add(l);
    if (this.debounce || !this.pending.size) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      const ls = [...this.pending];
      this.pending.clear();
      for (const l of ls) void this.refresh(l);
    }, this.o.debounceMs);
  }

  private startPolling(ms: number): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = setInterval(() => this.schedule(['containers', 'images', 'volumes', 'networks']), ms);
    this.poll.unref?.();
  }

  private async follow(since = Date.now()): Promise<void> {
    try {
      const it = this.backend.events({ since, signal: this.abort.signal });
      this.mode = 'events';
      this.startPolling(this.o.backstopMs);
      for await (const e of it) {
        this.schedule(listsTouched(e));
      }
      if (!this.abort.signal.aborted) {
        this.mode = 'polling';
        this.startPolling(this.o.pollMs);
      }
    } catch (e) {
      if (this.abort.signal.aborted) return;
      if (isBerthError(e, 'UNAVAILABLE')) {
        // the link to a remote engine is down: taken up again with backoff (the header says so meanwhile)
        this.mode = 'polling';
        this.linkLost(e);
        return;
      }
      // no feed in this backend (or it broke): fall back to polling, quietly
      // when it simply does not exist, with a word in the footer otherwise
      if (!(isBerthError(e) && e.code === 'NOT_SUPPORTED')) {
        this.store.dispatch({
          type: 'message',
          message: { kind: 'error', text: `event feed: ${(e as Error).message}; polling instead` },
        });
      }
      this.mode = 'polling';
      this.startPolling(this.o.pollMs);
    }
  }
}
