/**
 * Waiting for a file to change: inotify on its directory (fs.watch) wakes
 * the waiter at once, a timer is the backstop. Followers of files that other
 * processes append to (container logs, the event table's WAL) sleep here
 * instead of polling several times a second.
 */
import { watch, type FSWatcher } from 'node:fs';
import { waitUntil } from './abort.js';

export interface DirWatch {
  dir: string;
  /** Which entries of the directory count (null: the kernel did not say which). */
  match(file: string | null): boolean;
}

export interface Waker {
  /**
   * Resolves on the next change, after the wait (or `atMostMs`, if shorter) without one, or on abort;
   * with true when a change ended it (or one came since the last wait).
   */
  next(signal?: AbortSignal, atMostMs?: number): Promise<boolean>;
  close(): void;
}

export function dirWaker(dirs: DirWatch[], waitMs: (watching: number) => number): Waker {
  let changed = false;
  let wakeUp: (() => void) | null = null;
  const watchers: FSWatcher[] = [];
  for (const d of dirs) {
    try {
      const w = watch(d.dir, { persistent: false }, (_event, file) => {
        if (!d.match(file === null ? null : String(file))) return;
        changed = true;
        wakeUp?.();
      });
      w.on('error', () => undefined);
      watchers.push(w);
    } catch {
      break; // no inotify, or no such directory: the timer covers it and the ones after
    }
  }
  const wait = waitMs(watchers.length);
  return {
    async next(signal, atMostMs = Infinity) {
      if (changed) {
        changed = false;
        return true;
      }
      // one wait that ends on a change, the timer or the signal, and leaves no listener on the signal
      await waitUntil(Math.min(wait, atMostMs), signal, (wake) => (wakeUp = wake));
      wakeUp = null;
      const woke = changed;
      changed = false;
      return woke;
    },
    close() {
      for (const w of watchers) w.close();
    },
  };
}
