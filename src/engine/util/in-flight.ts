/**
 * Promises of work started and not yet awaited, at most `limit` at a time:
 * add() waits for room, settle() for all of them. The first failure is
 * kept and thrown by the next add() or settle(), so work is never dropped
 * silently, and nothing is left running once settle() has returned.
 */
export class InFlight {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.running.size;
  }

  async add(work: Promise<void>): Promise<void> {
    const p: Promise<void> = work.then(
      () => void this.running.delete(p),
      (e: unknown) => {
        this.failure ??= { error: e };
        this.running.delete(p);
      },
    );
    this.running.add(p);
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.check();
  }

  async settle(): Promise<void> {
    while (this.running.size) await Promise.race(this.running);
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure.error;
  }
}
