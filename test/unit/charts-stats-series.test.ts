import { describe, expect, it } from 'vitest';
import type { StatsSample } from '../../src/client/api.js';
import { statsSample as sample } from '../helpers/stats-sample.js';
import {
  appendSample,
  counterRate,
  deriveStatsSeries,
  memoryScaledToLimit,
  statsChartSpecs,
} from '../../src/tui/charts/index.js';

describe('rolling window', () => {
  it('keeps the window plus the newest sample at or before its start', () => {
    let w: readonly StatsSample[] = [];
    for (let t = 0; t <= 70_000; t += 1000) w = appendSample(w, sample(t));
    expect(w.length).toBe(61);
    expect(w[0]!.time).toBe(10_000);
    expect(w[w.length - 1]!.time).toBe(70_000);
  });

  it('after a gap, keeps the one older sample the line enters from', () => {
    let w: readonly StatsSample[] = [];
    for (const t of [0, 5000, 62_000]) w = appendSample(w, sample(t));
    expect(w.map((s) => s.time)).toEqual([0, 5000, 62_000]);
    w = appendSample(w, sample(66_000));
    expect(w.map((s) => s.time)).toEqual([5000, 62_000, 66_000]);
    w = appendSample(w, sample(200_000));
    expect(w.map((s) => s.time)).toEqual([66_000, 200_000]);
  });

  it('a custom window length', () => {
    let w: readonly StatsSample[] = [];
    for (let t = 0; t <= 20_000; t += 1000) w = appendSample(w, sample(t), 5000);
    expect(w.map((s) => s.time)).toEqual([15_000, 16_000, 17_000, 18_000, 19_000, 20_000]);
  });

  it('another container starts over; a stale sample changes nothing; the old window is not touched', () => {
    const w1 = appendSample(appendSample([], sample(1000)), sample(2000));
    expect(appendSample(w1, sample(3000, { id: 'c2' })).map((s) => [s.id, s.time])).toEqual([['c2', 3000]]);
    expect(appendSample(w1, sample(2000))).toBe(w1);
    expect(appendSample(w1, sample(1500))).toBe(w1);
    const w2 = appendSample(w1, sample(3000));
    expect(w1.map((s) => s.time)).toEqual([1000, 2000]);
    expect(w2.map((s) => s.time)).toEqual([1000, 2000, 3000]);
  });
});

describe('rates from counters', () => {
  it('bytes per second over the real time between samples', () => {
    expect(counterRate(1000, 3000, 2000)).toBe(1000);
    expect(counterRate(0, 1500, 1500)).toBe(1000);
    expect(counterRate(7, 7, 1000)).toBe(0);
  });

  it('a counter that went down was reset: its new value is the traffic, never a negative rate', () => {
    expect(counterRate(5000, 300, 1000)).toBe(300);
    expect(counterRate(5000, 0, 1000)).toBe(0);
  });

  it('no time between samples: no rate', () => {
    expect(counterRate(0, 10, 0)).toBeNaN();
    expect(counterRate(0, 10, -5)).toBeNaN();
  });

  it('derives every chart series from a window', () => {
    const w = [
      sample(0, { netRxBytes: 0, netTxBytes: 100, blockRead: 0, blockWrite: 0, cpuPercent: 0, memUsed: 10, pids: 3 }),
      sample(1000, {
        netRxBytes: 1000,
        netTxBytes: 300,
        blockRead: 5000,
        blockWrite: 4096,
        cpuPercent: 12.5,
        memUsed: 20,
        pids: 4,
      }),
      // 1.5 s later; the container restarted: block counters start over, CPU % came out negative
      sample(2500, {
        netRxBytes: 4000,
        netTxBytes: 300,
        blockRead: 1200,
        blockWrite: 0,
        cpuPercent: -40,
        memUsed: 30,
        pids: 2,
        pidsLimit: 100,
      }),
    ];
    const s = deriveStatsSeries(w);
    expect(s.times).toEqual([0, 1000, 2500]);
    expect(s.cpuPercent).toEqual([0, 12.5, NaN]);
    expect(s.memUsed).toEqual([10, 20, 30]);
    expect(s.memLimit).toEqual([1024 ** 3, 1024 ** 3, 1024 ** 3]);
    expect(s.netRx).toEqual([NaN, 1000, 2000]);
    expect(s.netTx).toEqual([NaN, 200, 0]);
    expect(s.blockRead).toEqual([NaN, 5000, 800]);
    expect(s.blockWrite).toEqual([NaN, 4096, 0]);
    expect(s.pids).toEqual([3, 4, 2]);
    expect(s.pidsLimit).toBe(100);
    expect(deriveStatsSeries([]).pidsLimit).toBeNull();
  });
});

describe('the five charts', () => {
  const GiB = 1024 ** 3;
  it('titles, legends and formats', () => {
    const s = deriveStatsSeries([sample(0), sample(1000, { pidsLimit: 50 })]);
    const specs = statsChartSpecs(s, { cpu: 'cyan', netRx: 'green', netTx: 'red' });
    expect(specs.map((c) => [c.key, c.title, c.series.map((x) => x.label), c.format.value(1000)])).toEqual([
      ['cpu', 'CPU', [''], '1000.00%'],
      ['memory', 'Memory', ['used', 'limit'], '1000B'],
      ['network', 'Network', ['rx', 'tx'], '1kB/s'],
      ['blockio', 'Block I/O', ['read', 'write'], '1kB/s'],
      ['pids', 'PIDs (limit 50)', [''], '1000'],
    ]);
    expect(specs[0]!.series[0]!.color).toBe('cyan');
    expect(specs[2]!.series.map((x) => x.color)).toEqual(['green', 'red']);
    expect(specs[3]!.series[0]!.color).toBeUndefined();
    expect(specs.every((c) => c.yMin === 0 && c.yMax === undefined)).toBe(true);
  });

  it('memory: the limit is drawn once usage reaches a quarter of it, and always in the legend', () => {
    const low = deriveStatsSeries([sample(0, { memUsed: 0.2 * GiB }), sample(1000, { memUsed: 0.24 * GiB })]);
    expect(memoryScaledToLimit(low)).toBe(false);
    expect(statsChartSpecs(low)[1]!.series[1]).toMatchObject({ label: 'limit', line: false });
    const high = deriveStatsSeries([sample(0, { memUsed: 0.25 * GiB }), sample(1000, { memUsed: 0.1 * GiB })]);
    expect(memoryScaledToLimit(high)).toBe(true);
    expect(statsChartSpecs(high)[1]!.series[1]!.line).toBeUndefined();
    expect(memoryScaledToLimit(deriveStatsSeries([]))).toBe(false);
  });
});
