/** Waits on an AbortSignal leave nothing on it, however they end (engine/util/abort.ts). */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onAbort, waitUntil } from '../../src/engine/util/abort.js';
import { dirWaker } from '../../src/engine/util/dir-waker.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const count = (s: AbortSignal) => getEventListeners(s, 'abort').length;

describe('waiting on a signal', () => {
  it('takes its listener off when woken early, when the time is up and when aborted', async () => {
    const ac = new AbortController();
    for (let i = 0; i < 50; i++) await waitUntil(60_000, ac.signal, (wake) => setImmediate(wake));
    expect(count(ac.signal)).toBe(0);
    await waitUntil(1, ac.signal);
    expect(count(ac.signal)).toBe(0);
    const pending = waitUntil(60_000, ac.signal);
    expect(count(ac.signal)).toBe(1);
    ac.abort();
    await pending;
    expect(count(ac.signal)).toBe(0);
    // already aborted: resolves at once, adds nothing
    await waitUntil(60_000, ac.signal);
    expect(count(ac.signal)).toBe(0);
  });

  it('onAbort runs at once on an aborted signal, once on a later abort, and not after it is taken off', () => {
    const ac = new AbortController();
    let n = 0;
    const off = onAbort(ac.signal, () => n++);
    const off2 = onAbort(ac.signal, () => (n += 10));
    off2();
    ac.abort();
    ac.abort();
    off();
    expect(n).toBe(1);
    onAbort(ac.signal, () => n++);
    expect(n).toBe(2);
    expect(count(ac.signal)).toBe(0);
  });

  it('a directory waker woken by changes a hundred times leaves no listener on the signal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-waker-'));
    const ac = new AbortController();
    const w = dirWaker([{ dir, match: () => true }], () => 60_000);
    try {
      for (let i = 0; i < 100; i++) {
        const next = w.next(ac.signal);
        writeFileSync(join(dir, 'f'), String(i));
        await next;
        expect(count(ac.signal)).toBeLessThanOrEqual(1);
      }
      await new Promise((r) => setImmediate(r));
      expect(count(ac.signal)).toBe(0);
    } finally {
      w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
