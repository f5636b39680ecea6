/**
 * Following a log, the stats and the event feed must not gather listeners
 * on their AbortSignals: the app once showed "MaxListenersExceededWarning:
 * 11 abort listeners added to [AbortSignal]" over its screen after a few
 * seconds of following a chatty log (each wake-up of a follower left one
 * behind until its backstop timer fired).
 *
 * What ten minutes of the app amount to, and how this test gets a third of
 * that faster on the real engine, with the app's own feeds (StatsFeed,
 * EngineFeed, and a follower as the Logs tab runs it); a listener left per
 * wake-up passes the 11 that warn many times over in a third:
 * - stats: the Stats tab takes a batch a second, 600 in ten minutes; here
 *   200 batches at the sampler's shortest period (100 ms), with the tab's
 *   hold taken and released every 30 batches as tab switches do;
 * - logs: a container printing twice a second wakes the Logs tab's follower
 *   1,200 times in ten minutes; here a container prints a line every 20 ms
 *   (each line its own write, so each its own wake-up) and the follower
 *   reads at least 400 of them;
 * - events: the feed's backstop wakes it once a second, 600 times; here 200
 *   tags, each an event written to the store, wake it as often.
 * Every 'abort' listener added anywhere in the process is counted on its
 * signal: no signal may ever hold more than two (a stream's own listener
 * and the wait it is in), and none may remain when everything has stopped.
 */
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testEngine, until, type TestEngine } from '../helpers/engine.js';
import { describeIf, skipReason } from '../helpers/env.js';
import { EngineFeed } from '../../src/tui/hooks/engine-feed.js';
import { StatsFeed } from '../../src/tui/hooks/stats-feed.js';
import { initialState } from '../../src/tui/state/reducer.js';
import { createStore } from '../../src/tui/state/store.js';

const reason = skipReason();

describeIf(reason)('following logs, stats and events for the equivalent of three minutes', () => {
  let e: TestEngine;
  const seen = new Set<AbortSignal>();
  let most = 0;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  const add = EventTarget.prototype.addEventListener;

  beforeAll(async () => {
    e = await testEngine();
    // count the 'abort' listeners of every signal as they are added, wherever in the process
    EventTarget.prototype.addEventListener = function (this: EventTarget, type: string, ...rest: unknown[]) {
      (add as (...a: unknown[]) => void).call(this, type, ...rest);
      if (type === 'abort' && this instanceof AbortSignal) {
        seen.add(this);
        most = Math.max(most, getEventListeners(this, 'abort').length);
      }
    } as typeof add;
    process.on('warning', onWarning);
  });
  afterAll(async () => {
    EventTarget.prototype.addEventListener = add;
    process.off('warning', onWarning);
    await e?.close();
  });

  it('keeps at most two abort listeners on any signal, and leaves none behind', async () => {
    const { id } = await e.b.createContainer({
      image: 'bb',
      name: 'chatty',
      cmd: ['sh', '-c', 'i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); usleep 20000; done; sleep 3600'],
    });
    await e.b.startContainer(id);
    const store = createStore(initialState());
    const stats = new StatsFeed(e.b, store, 60_000, 100);
    const feed = new EngineFeed(e.b, store);
    let batches = 0;
    let release = stats.hold();
    const unsubscribe = stats.subscribe(() => {
      // tab switches: the Stats tab left and shown again
      if (++batches % 30 === 0) {
        release();
        release = stats.hold();
      }
    });
    feed.start();
    stats.start();

    // the Logs tab's follower
    const logs = new AbortController();
    let lines = 0;
    const following = (async () => {
      for await (const _ of e.b.containerLogs(id, { follow: true, tail: 0, signal: logs.signal })) lines++;
    })();

    // events: one tag a tenth of a second
    let tags = 0;
    const tagging = (async () => {
      while (tags < 200) {
        await e.b.tagImage('bb', `three-minutes:${tags++}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await until(() => batches >= 200 && lines >= 400 && tags >= 200, 150_000, 50);
    await tagging;
    release();
    logs.abort();
    await following;
    feed.stop();
    stats.stop();
    unsubscribe();
    await until(() => [...seen].every((s) => getEventListeners(s, 'abort').length === 0), 5_000);

    expect(batches).toBeGreaterThanOrEqual(200);
    expect(lines).toBeGreaterThanOrEqual(400);
    expect(warnings).toEqual([]);
    expect(most).toBeLessThanOrEqual(2);
    expect(seen.size).toBeGreaterThan(0);
  }, 180_000);
});
