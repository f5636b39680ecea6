/**
 * The one metrics sampler of an engine. Every subscriber (the TUI's charts,
 * its list columns, `berth stats`) shares it: each interval it reads every
 * wanted container's files once, whatever the number of subscribers, and
 * hands the same samples to all of them. It reads nothing while nobody
 * listens.
 *
 * Which containers: all that run when someone asked for all, otherwise only
 * the ones asked for by ID. A container is read once when it is found (a
 * priming reading, so that its first delivered sample has a real CPU %) and
 * delivered from the next interval on; one that stops drops out (its cgroup
 * is removed, or its init and monitor are gone) and the streams of those who
 * asked for it alone end. While a restart policy restarts it, it is absent
 * from the batches and its streams wait for its next run.
 */
import { BerthError } from '../errors.js';
import { cgroupLayout, containerCgroupPath, type CgroupLayout } from '../cgroup/hierarchy.js';
import { metricFiles } from '../cgroup/files.js';
import { detailFiles } from '../cgroup/detail.js';
import { ContainerReader } from '../cgroup/reader.js';
import { readMonitorState } from '../runtime/monitor.js';
import { pidAlive } from '../store/scratch.js';
import type { Db } from '../store/db.js';
import type { StatsSample } from '../types.js';
import { HostReader } from './host.js';
import { RunningQuery, type RunningRow } from './running.js';
import { toStatsSample, type Reading } from './sample.js';

export interface SamplerDeps {
  db: Db;
  /** The monitor's runtime directory of a container (its state.json). */
  runDir(id: string): string;
  layout?: CgroupLayout;
  /** Where /proc is (tests point it elsewhere only for the host files). */
  proc?: string;
}

interface Tracked {
  id: string;
  name: string;
  pid: number;
  reader: ContainerReader;
  prev: Reading | null;
}

interface ListenerBase {
  interval: number;
  due: number;
  /** Wants StatsSample.detail. */
  detail: boolean;
  end(error?: unknown): void;
}
interface AllListener extends ListenerBase {
  kind: 'all';
  push(batch: StatsSample[]): void;
}
interface OneListener extends ListenerBase {
  kind: 'one';
  id: string;
  push(sample: StatsSample): void;
}
type Listener = AllListener | OneListener;

export const MIN_INTERVAL_MS = 100;

export class StatsSampler {
  /** What sampling has cost so far: passes, readings of one container, files read, containers taken on. */
  readonly counters = { passes: 0, readings: 0, fileReads: 0, readersOpened: 0 };
  private readonly listeners = new Set<Listener>();
  private readonly tracked = new Map<string, Tracked>();
  /** Containers recorded as running whose monitor is gone, keyed to the recorded state seen then. */
  private readonly settled = new Map<string, string>();
  private readonly layout: CgroupLayout;
  private query: RunningQuery | null = null;
  private host: HostReader | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextAt = 0;
  private period = 0;

  constructor(private readonly deps: SamplerDeps) {
    this.layout = deps.layout ?? cgroupLayout();
  }

  /** The current sampling period (ms), 0 when idle. */
  get interval(): number {
    return this.period;
  }

  /** Containers being read now. */
  get readers(): number {
    return this.tracked.size;
  }

  subscribeAll(
    intervalMs: number,
    push: (batch: StatsSample[]) => void,
    end: (error?: unknown) => void,
    detail = false,
  ): () => void {
    return this.subscribe({ kind: 'all', interval: intervalMs, due: Date.now() + intervalMs, push, end, detail });
  }

  subscribeOne(
    id: string,
    intervalMs: number,
    push: (sample: StatsSample) => void,
    end: (error?: unknown) => void,
    detail = false,
  ): () => void {
    return this.subscribe({ kind: 'one', id, interval: intervalMs, due: Date.now() + intervalMs, push, end, detail });
  }

  /** End every stream and stop. */
  close(): void {
    for (const l of [...this.listeners]) this.unlisten(l);
    this.stop();
  }

  private subscribe(l: Listener): () => void {
    if (!Number.isFinite(l.interval) || l.interval < MIN_INTERVAL_MS) {
      throw new BerthError(
        'INVALID_ARGUMENT',
        `invalid stats interval ${l.interval} ms: it must be at least ${MIN_INTERVAL_MS} ms`,
      );
    }
    this.listeners.add(l);
    try {
      this.query ??= new RunningQuery(this.deps.db);
      this.host ??= new HostReader(this.deps.proc);
      this.pass(false);
    } catch (e) {
      this.fail(e);
      return () => undefined;
    }
    if (this.listeners.size) this.reschedule();
    else this.stop();
    return () => {
      if (!this.listeners.delete(l)) return;
      if (!this.listeners.size) this.stop();
    };
  }

  private unlisten(l: Listener, error?: unknown): void {
    if (this.listeners.delete(l)) l.end(error);
  }

  private fail(e: unknown): void {
    const err =
      e instanceof BerthError ? e : new BerthError('IO', `container metrics: ${(e as Error).message}`, { cause: e });
    for (const l of [...this.listeners]) this.unlisten(l, err);
    this.stop();
  }

  private reschedule(): void {
    let min = Infinity;
    for (const l of this.listeners) min = Math.min(min, l.interval);
    const now = Date.now();
    const next = this.timer ? Math.min(this.nextAt, now + min) : now + min;
    this.period = min;
    if (this.timer && next === this.nextAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = next;
    this.timer = setTimeout(this.onTimer, Math.max(0, next - now));
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    try {
      this.pass(true);
    } catch (e) {
      this.fail(e);
      return;
    }
    if (!this.listeners.size) return this.stop();
    let min = Infinity;
    for (const l of this.listeners) min = Math.min(min, l.interval);
    this.period = min;
    const now = Date.now();
    this.nextAt += min;
    if (this.nextAt <= now) this.nextAt = now + min;
    this.timer = setTimeout(this.onTimer, this.nextAt - now);
  };

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.period = 0;
    for (const t of this.tracked.values()) t.reader.close();
    this.tracked.clear();
    this.settled.clear();
    this.host?.close();
    this.host = null;
  }

  private wanted(): string[] | null {
    const ids = new Set<string>();
    for (const l of this.listeners) {
      if (l.kind === 'all') return null;
      ids.add(l.id);
    }
    return [...ids];
  }

  /** Start reading a container found running; note one on its way up or between runs. */
  private discover(row: RunningRow, restarting: Set<string>): void {
    if (this.settled.get(row.id) === row.state) return;
    const ms = readMonitorState(this.deps.runDir(row.id));
    if (ms?.monitorAlive && ms.status === 'running' && ms.pid > 0) {
      this.settled.delete(row.id);
      const files = metricFiles(this.layout, containerCgroupPath(row.id));
      const cg = containerCgroupPath(row.id);
      const reader = new ContainerReader(files, ms.pid, row.network !== 'host', detailFiles(this.layout, cg));
      this.tracked.set(row.id, { id: row.id, name: row.name, pid: ms.pid, reader, prev: null });
      this.counters.readersOpened++;
    } else if (ms?.monitorAlive) {
      restarting.add(row.id); // between runs, or on its way up: look again next time
    } else {
      this.settled.set(row.id, row.state);
    }
  }

  private drop(t: Tracked): void {
    t.reader.close();
    this.tracked.delete(t.id);
  }

  /**
   * The init of a tracked container died: 'run' when a restart policy already
   * started a new one (read that), 'wait' while it is between runs (the
   * cgroup and its counters stay, so the reading before the restart remains
   * the base of the next CPU %), 'gone' when it stopped.
   */
  private followRestart(t: Tracked): 'run' | 'wait' | 'gone' {
    const ms = readMonitorState(this.deps.runDir(t.id));
    if (!ms?.monitorAlive || ms.status === 'exited') return 'gone';
    if (ms.status === 'running' && ms.pid > 0 && pidAlive(ms.pid)) {
      t.pid = ms.pid;
      t.reader.setPid(ms.pid);
      return 'run';
    }
    return 'wait';
  }

  /**
   * Find the wanted containers, read them, and (deliver) hand the samples to
   * the subscribers that are due. A priming pass (not deliver) reads only the
   * containers found since the last pass.
   */
  private pass(deliver: boolean): void {
    const now = Date.now();
    const host = this.host!.read();
    let detail = false;
    for (const l of this.listeners) detail ||= l.detail;
    const restarting = new Set<string>();
    const seen = new Set<string>();
    for (const row of this.query!.rows(this.wanted())) {
      seen.add(row.id);
      const t = this.tracked.get(row.id);
      if (t) t.name = row.name;
      else this.discover(row, restarting);
    }
    for (const id of this.settled.keys()) if (!seen.has(id)) this.settled.delete(id);
    const batch: StatsSample[] = [];
    const byId = new Map<string, StatsSample>();
    for (const t of [...this.tracked.values()]) {
      if (!seen.has(t.id)) {
        this.drop(t);
        continue;
      }
      if (!deliver && t.prev) continue;
      if (!pidAlive(t.pid)) {
        const next = this.followRestart(t);
        if (next === 'gone') this.drop(t);
        if (next !== 'run') continue;
      }
      const before = t.reader.reads;
      const r = t.reader.sample(detail);
      this.counters.readings++;
      this.counters.fileReads += t.reader.reads - before;
      if (r === null) {
        this.drop(t);
        continue;
      }
      if (r === undefined) continue; // unreadable this time: keep the last good reading
      const cur: Reading = { raw: r.raw, net: r.net, detail: r.detail, host, time: now };
      if (t.prev) {
        const s = toStatsSample(t, cur, t.prev, this.host!.memTotal, this.layout.v2);
        batch.push(s);
        byId.set(t.id, s);
      }
      t.prev = cur;
    }
    this.counters.passes++;
    for (const l of [...this.listeners]) {
      if (l.kind === 'one' && !this.tracked.has(l.id) && !restarting.has(l.id)) {
        this.unlisten(l); // it stopped: its stream ends
        continue;
      }
      if (!deliver || now < l.due - this.period / 2) continue;
      l.due += l.interval;
      if (l.due <= now) l.due = now + l.interval;
      if (l.kind === 'all') l.push(batch.slice());
      else {
        const s = byId.get(l.id);
        if (s) l.push(s);
      }
    }
  }
}
