/**
 * The app's one subscription to the backend's shared stats stream: the
 * latest sample of every running container (the CPU and MEM columns) and a
 * rolling window per container (the Stats tab's charts), trimmed to the
 * configured number of seconds. Lives outside React, so the windows survive
 * the app being unmounted for an exec. When the backend has no metrics, it
 * says so once and the app leaves the Stats tab out.
 *
 * Batches come once a second while a Stats tab shows (it holds the feed),
 * otherwise at the lists' beat (LIST_PERIOD_MS): the lists show nothing
 * faster, and sampling 20 running containers each second was a third of an
 * idle app's CPU. The charts' windows keep filling at the slower beat.
 *
 * When no key was pressed for IDLE_AFTER_MS (and no Stats tab holds the
 * feed), batches come every IDLE_PERIOD_MS: nobody is moving about the
 * screen, and a remote engine's per-container streams were most of an idle
 * app's link and CPU. The cells keep the last values they had (older, never
 * made up); the next key brings the lists' beat back at once (touch()).
 */
import { isBerthError, type Backend, type StatsSample } from '../../client/api.js';
import { appendSample } from '../charts/index.js';
import type { Store } from '../state/store.js';

export type StatsStatus = 'starting' | 'live' | 'unavailable';

/** How often the lists' CPU and MEM cells change at most. */
export const LIST_PERIOD_MS = 2000;
/** No key for this long: the lists' cells are sampled at the idle beat. */
export const IDLE_AFTER_MS = 5000;
/** How often the lists' CPU and MEM cells change at most while idle. */
export const IDLE_PERIOD_MS = 20_000;

export class StatsFeed {
  status: StatsStatus = 'starting';
  error: string | null = null;
  latest = new Map<string, StatsSample>();
  private readonly windows = new Map<string, readonly StatsSample[]>();
  private readonly abort = new AbortController();
  private readonly listeners = new Set<() => void>();
  /** Bumped on every batch, so hooks can tell a new batch from the last. */
  version = 0;
  /**
   * Bumped on a batch at most every LIST_PERIOD_MS: the lists' CPU and MEM
   * cells follow this slower beat (as k9s refreshes every 2 s), the charts
   * every batch. A frame costs the app about 5 ms; an idle list of running
   * containers whose memory wobbles would otherwise draw every second.
   */
  listVersion = 0;
  private listAt = 0;
  private holders = 0;
  /** Containers the list shows running that the last batch did not have. */
  private absent = new Set<string>();
  /** Ends the current subscription (to subscribe again at another period). */
  private current: AbortController | null = null;
  /** When the last key was pressed (the feed's start counts as one). */
  private keyAt = Date.now();
  /** No key for IDLE_AFTER_MS: the idle beat. */
  private idle = false;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly backend: Backend,
    private readonly store: Store,
    private readonly windowMs = 60_000,
    private readonly intervalMs = 1000,
    /** Called when the set of running containers changed since the previous batch. */
    private readonly onRunningChanged: () => void = () => undefined,
    /** No key for this long (ms) and the idle beat (ms); 0: never idle. */
    private readonly idleAfterMs = IDLE_AFTER_MS,
    private readonly idlePeriodMs = IDLE_PERIOD_MS,
  ) {}

  start(): void {
    this.keyAt = Date.now();
    this.armIdle(this.idleAfterMs);
    void this.run();
  }

  stop(): void {
    this.abort.abort();
    this.current?.abort();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** The period batches come at now (ms). */
  get periodMs(): number {
    if (this.holders > 0) return this.intervalMs;
    const list = Math.max(this.intervalMs, LIST_PERIOD_MS);
    return this.idle ? Math.max(list, this.idlePeriodMs) : list;
  }

  /** Whether the idle beat is on (no key for a while, no Stats tab). */
  get isIdle(): boolean {
    return this.idle && this.holders === 0;
  }

  /** A key was pressed: the lists' beat again at once if it was idle. */
  touch(): void {
    this.keyAt = Date.now();
    if (!this.idle) return;
    const before = this.periodMs;
    this.idle = false;
    if (this.periodMs !== before) this.current?.abort();
    this.armIdle(this.idleAfterMs);
  }

  /** Look again in `ms` whether a key came meanwhile (one timer, not one per key). */
  private armIdle(ms: number): void {
    if (!this.idleAfterMs || this.abort.signal.aborted) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      const quiet = Date.now() - this.keyAt;
      if (quiet < this.idleAfterMs) return this.armIdle(this.idleAfterMs - quiet);
      const before = this.periodMs;
      this.idle = true;
      if (this.periodMs !== before) this.current?.abort();
    }, ms);
    this.idleTimer.unref?.();
  }

  /** Batches once a second until the returned release is called (the Stats tab holds it while it shows). */
  hold(): () => void {
    const before = this.periodMs;
    this.holders++;
    if (this.periodMs !== before) this.current?.abort();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const was = this.periodMs;
      this.holders--;
      if (this.periodMs !== was) this.current?.abort();
    };
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The rolling window of one container, oldest first (a new array whenever it changed). */
  window(id: string): readonly StatsSample[] {
    return this.windows.get(id) ?? [];
  }

  /** Take a batch (also the seam the tests feed). */
  accept(batch: readonly StatsSample[]): void {
    const before = new Set(this.latest.keys());
    const seen = new Set<string>();
    for (const s of batch) {
      seen.add(s.id);
      this.latest.set(s.id, s);
      // a new array per sample: the charts are memoised on it
      this.windows.set(s.id, appendSample(this.windows.get(s.id) ?? [], s, this.windowMs));
    }
    // containers that stopped drop out of the batch: no latest sample; their window stays until it has aged out
    const gone = [...before].filter((id) => !seen.has(id));
    for (const id of gone) this.latest.delete(id);
    // a container the list shows running that is missing from two batches running ended, even one that
    // lived too short a time (under two periods) to be in any batch: the list is out of date
    const absent = new Set<string>();
    let stale = false;
    for (const c of this.store.get().data.containers ?? []) {
      if (c.State !== 'running' || seen.has(c.Id)) continue;
      if (this.absent.has(c.Id)) stale = true;
      absent.add(c.Id);
    }
    this.absent = absent;
    const changed = this.version > 0 && (gone.length > 0 || seen.size !== before.size || stale);
    const now = batch[0]?.time ?? Date.now();
    for (const [id, w] of this.windows)
      if (!seen.has(id) && (w[w.length - 1]?.time ?? 0) < now - this.windowMs) this.windows.delete(id);
    this.version++;
    if (now - this.listAt >= LIST_PERIOD_MS - this.periodMs / 2) {
      this.listVersion++;
      this.listAt = now;
    }
    for (const fn of [...this.listeners]) fn();
    if (changed) this.onRunningChanged();
  }

  private async run(): Promise<void> {
    try {
      while (!this.abort.signal.aborted) {
        // a new period ends this subscription (not the feed): take the next at the new period; stop()
        // ends both (one signal per subscription: nothing is left listening on the feed's own signal)
        const current = new AbortController();
        this.current = current;
        for await (const batch of this.backend.allStats({ intervalMs: this.periodMs, signal: current.signal })) {
          if (this.status !== 'live') {
            this.status = 'live';
            this.store.dispatch({ type: 'statsAvailable', available: true });
          }
          this.accept(batch);
        }
        if (!current.signal.aborted) return;
      }
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.status = 'unavailable';
      this.store.dispatch({ type: 'statsAvailable', available: false });
      if (!(isBerthError(e) && e.code === 'NOT_SUPPORTED')) {
        this.error = (e as Error).message;
        this.store.dispatch({ type: 'message', message: { kind: 'error', text: `stats: ${this.error}` } });
      }
      for (const fn of [...this.listeners]) fn();
    }
  }
}
