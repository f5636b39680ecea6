/**
 * Several hosts in one session. Each host gets its own services (store,
 * event feed, stats feed) the first time it is shown, and keeps them: its
 * lists keep their selection, filters and tabs while another host shows,
 * and its feeds go on at the lists' beat, so the overview's counts stay
 * true. Switching only changes which services the app draws.
 *
 * The overview (overviewRow) is one row per host: running, total and
 * failing containers (exited with a non-zero code, dead, or restarting),
 * and the CPU and memory of its running containers from the stats feed.
 */
import type { Backend } from '../client/api.js';
import type { HostEntry } from '../client/hosts.js';
import type { BackendChoice } from '../client/open.js';
import type { HostSwitcher, OverviewRow, Services } from './hooks/context.js';

export interface HostView {
  entry: HostEntry;
  services: Services | null;
  /** Why the host could not be reached (the last try). */
  error: string | null;
  opening: Promise<Services | null> | null;
}

export type OpenBackend = (choice: BackendChoice) => Promise<Backend>;
export type MakeServices = (backend: Backend, hosts: HostSet) => Services;

export class HostSet implements HostSwitcher {
  readonly views: HostView[];
  currentIndex = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    entries: HostEntry[],
    /** The engine the app was started on (entries[0]); its services are made here, not started. */
    first: Backend,
    private readonly open: OpenBackend,
    private readonly make: MakeServices,
    private readonly start: (s: Services) => void,
  ) {
    this.views = entries.map((entry) => ({ entry, services: null, error: null, opening: null }));
    this.views[0]!.services = make(first, this);
  }

  current(): Services {
    return this.views[this.currentIndex]!.services!;
  }

  get size(): number {
    return this.views.length;
  }

  name(s: Services): string {
    return this.views.find((v) => v.services === s)?.entry.name ?? '';
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }

  /** Connect to host `i` (once at a time); null when it cannot be reached (its error says why). */
  connect(i: number): Promise<Services | null> {
    const v = this.views[i];
    if (!v) return Promise.resolve(null);
    if (v.services) return Promise.resolve(v.services);
    if (v.opening) return v.opening;
    v.error = null;
    v.opening = this.open(v.entry.choice).then(
      (backend) => {
        const s = this.make(backend, this);
        v.services = s;
        v.opening = null;
        this.start(s);
        this.changed();
        return s;
      },
      (e: unknown) => {
        v.error = (e as Error).message;
        v.opening = null;
        this.changed();
        return null;
      },
    );
    this.changed();
    return v.opening;
  }

  /** Connect to every host (the overview shows them all). */
  connectAll(): void {
    for (let i = 0; i < this.views.length; i++) void this.connect(i);
  }

  /** Show host `i`; false (with its error kept) when it cannot be reached. */
  async switchTo(i: number): Promise<boolean> {
    const s = await this.connect(i);
    if (!s) return false;
    this.currentIndex = i;
    this.changed();
    return true;
  }

  overviewRow(i: number): OverviewRow {
    const v = this.views[i]!;
    const base = {
      name: v.entry.name,
      address: v.entry.address,
      current: i === this.currentIndex,
      error: v.error,
      running: 0,
      total: 0,
      failing: 0,
      cpuPercent: null,
      memBytes: null,
    };
    if (!v.services) return { ...base, state: v.opening ? 'connecting' : v.error ? 'down' : 'idle' };
    const cs = v.services.store.get().data.containers ?? [];
    const running = cs.filter((c) => c.State === 'running');
    let cpu: number | null = null;
    let mem: number | null = null;
    for (const c of running) {
      const st = v.services.stats.latest.get(c.Id);
      if (!st) continue;
      cpu = (cpu ?? 0) + st.cpuPercent;
      mem = (mem ?? 0) + st.memUsed;
    }
    return {
      ...base,
      state: 'up',
      running: running.length,
      total: cs.length,
      failing: cs.filter(
        (c) => c.State === 'dead' || c.State === 'restarting' || (c.State === 'exited' && c.ExitCode !== 0),
      ).length,
      cpuPercent: cpu,
      memBytes: mem,
    };
  }

  /** Every host's services that were opened (to stop and close them at the end). */
  opened(): Services[] {
    return this.views.flatMap((v) => (v.services ? [v.services] : []));
  }
}
