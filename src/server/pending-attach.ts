/**
 * Attach requests that came before their container started: docker's CLI
 * attaches first and starts after, so that no output is lost. When this
 * service starts the container it attaches in the same step (the monitor
 * then sends output from the first byte) and hands the session over.
 */
import type { AttachSession } from '../client/api.js';

export interface AttachWants {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface PendingAttach {
  want: AttachWants;
  /** The session, once the container has been started by this service. */
  deliver(session: AttachSession): void;
}

export class PendingAttaches {
  private readonly byId = new Map<string, Set<PendingAttach>>();

  /** Register; the returned function withdraws it (the client left). */
  add(id: string, p: PendingAttach): () => void {
    let set = this.byId.get(id);
    if (!set) this.byId.set(id, (set = new Set()));
    set.add(p);
    return () => {
      set!.delete(p);
      if (!set!.size && this.byId.get(id) === set) this.byId.delete(id);
    };
  }

  /** All attach requests waiting for this container, removed from the table. */
  take(id: string): PendingAttach[] {
    const set = this.byId.get(id);
    this.byId.delete(id);
    return set ? [...set] : [];
  }
}
