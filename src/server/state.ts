/**
 * What the service keeps between requests: the exec instances (dockerd keeps
 * them in memory too), the attach requests waiting for their container's
 * start, and the work that must keep the service alive after its client has
 * gone (an --rm container this service removes at its exit).
 */
import { ExecRegistry } from './exec-registry.js';
import { PendingAttaches } from './pending-attach.js';

export class ServiceState {
  readonly execs = new ExecRegistry();
  readonly attaches = new PendingAttaches();
  private holds = 0;
  private readonly listeners = new Set<(busy: boolean) => void>();

  /** Keep the service running until the returned function is called (idempotent). */
  hold(): () => void {
    this.holds++;
    if (this.holds === 1) for (const l of this.listeners) l(true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.holds === 0) for (const l of this.listeners) l(false);
    };
  }

  get busy(): boolean {
    return this.holds > 0;
  }

  onBusyChange(fn: (busy: boolean) => void): void {
    this.listeners.add(fn);
  }
}
