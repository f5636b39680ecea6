/** The shared sampler: one reading per container per interval for any number of subscribers; containers coming and going. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StatsSample } from '../../src/client/api.js';
import { isBerthError } from '../../src/engine/errors.js';
import { describeIf, skipReason } from '../helpers/env.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { samples, startDetached } from '../helpers/stats.js';

const reason = skipReason();

describeIf(reason)('the metrics sampler', () => {
  let e: TestEngine;
  beforeAll(async () => {
    e = await testEngine();
  });
  afterAll(async () => e?.close());

  const sampler = () => e.b.engine.statsSampler;
  const removeAll = async () => {
    for (const c of await e.b.listContainers({ all: true })) await e.b.removeContainer(c.Id, { force: true });
  };

  it('serves any number of subscribers with one reading per container per interval, and stops when they leave', async () => {
    await removeAll();
    const a = await startDetached(e.b, ['sleep', '1000']);
    const b = await startDetached(e.b, ['sleep', '1000']);
    const s = sampler();
    const start = { ...s.counters };

    // Three subscribers at once: two for every container, one for a.
    const batches1: StatsSample[][] = [];
    const batches2: StatsSample[][] = [];
    const ones: StatsSample[] = [];
    const take = async <T>(it: AsyncIterable<T>, n: number, into: T[]) => {
      for await (const x of it) if (into.push(x) === n) break;
    };
    await Promise.all([
      take(e.b.allStats(), 4, batches1),
      take(e.b.allStats(), 4, batches2),
      take(e.b.containerStats(a.id), 4, ones),
    ]);
    const readings = s.counters.readings - start.readings;
    const files = (s.counters.fileReads - start.fileReads) / readings;
    // One priming reading of each container, then one per interval: 2 + 2 x 4, where
    // three subscribers reading on their own would have made three times as many.
    expect(readings).toBe(2 * (1 + 4));
    expect(s.counters.readersOpened - start.readersOpened).toBe(2);
    expect(Number.isInteger(files) && files >= 8 && files <= 10).toBe(true); // the cgroup files and net/dev
    // The subscribers got the very same sample objects.
    const sameTick = batches1.find((x) => batches2.some((y) => y[0] === x[0]));
    expect(sameTick).toBeDefined();
    expect(ones.some((o) => batches1.some((x) => x.includes(o)))).toBe(true);
    expect(
      batches1.every(
        (x) =>
          x
            .map((y) => y.id)
            .sort()
            .join() === [a.id, b.id].sort().join(),
      ),
    ).toBe(true);
    // Nobody listens any more: nothing is read, no descriptor kept.
    expect([s.interval, s.readers]).toEqual([0, 0]);
  });

  it("containers that start and stop while allStats runs appear and drop out; a stopped container's stream ends", async () => {
    await removeAll();
    const seen: string[][] = [];
    const ac = new AbortController();
    let a = '';
    let b = '';
    let oneEnded: Promise<StatsSample[]> | null = null;
    for await (const batch of e.b.allStats({ signal: ac.signal })) {
      const ids = batch.map((s) => s.id);
      seen.push(ids);
      if (!a) {
        expect(ids).toEqual([]);
        a = (await startDetached(e.b, ['sleep', '1000'])).id;
      } else if (!b && ids.includes(a)) {
        b = (await startDetached(e.b, ['sleep', '1000'])).id;
        oneEnded = (async () => {
          const got: StatsSample[] = [];
          for await (const s of e.b.containerStats(a)) got.push(s);
          return got;
        })();
      } else if (b && ids.includes(b) && ids.includes(a)) {
        await e.b.stopContainer(a, 1);
      } else if (b && ids.includes(b) && !ids.includes(a) && seen.some((x) => x.includes(a) && x.includes(b))) {
        ac.abort();
      }
      if (seen.length > 30) throw new Error(`no progress: ${JSON.stringify(seen)}`);
    }
    // the order of first appearance is kept: a before b
    expect(seen.find((x) => x.length === 2)).toEqual([a, b]);
    const got = await oneEnded!;
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((s) => s.id === a)).toBe(true);
  });

  it('a stream follows a container that a restart policy restarts', async () => {
    await removeAll();
    const c = await startDetached(e.b, ['sh', '-c', 'sleep 2; exit 3'], { restart: 'always' });
    const restarts = async () => ((await e.b.inspectContainer(c.id)) as { RestartCount: number }).RestartCount;
    let after = 0;
    for await (const s of e.b.containerStats(c.id)) {
      expect(s.id).toBe(c.id);
      if ((await restarts()) >= 2 && ++after === 2) break;
    }
    expect(after).toBe(2);
  });

  it('a container that is not running gives an empty stream; an unknown one NOT_FOUND; a bad interval INVALID_ARGUMENT', async () => {
    const { id } = await e.b.createContainer({ image: 'bb', cmd: ['true'] });
    const got = [];
    for await (const s of e.b.containerStats(id)) got.push(s);
    expect(got).toEqual([]);
    const codeOf = async (it: AsyncIterable<unknown>) => {
      try {
        for await (const _ of it) break;
      } catch (err) {
        return isBerthError(err) ? err.code : String(err);
      }
      return 'none';
    };
    expect(await codeOf(e.b.containerStats('nosuch'))).toBe('NOT_FOUND');
    expect(await codeOf(e.b.allStats({ intervalMs: 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('closing the sampler (as Engine.close does) ends its streams', async () => {
    const c = await startDetached(e.b, ['sleep', '1000']);
    const [first] = await samples(e.b, c.id, 1);
    expect(first!.id).toBe(c.id);
    const it = e.b.allStats();
    const next = it.next();
    e.b.engine.statsSampler.close();
    expect((await next).done).toBe(true);
  });
});
