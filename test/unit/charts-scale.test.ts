import { describe, expect, it } from 'vitest';
import { humanRate, sizeDivisor } from '../../src/client/format/humanize.js';
import {
  bytesFormat,
  countFormat,
  niceScale,
  percentFormat,
  rateFormat,
  windowLabel,
} from '../../src/tui/charts/index.js';
import { maxTicksFor, niceStep } from '../../src/tui/charts/ticks.js';

const MiB = 1024 * 1024;

describe('nice ticks', () => {
  it('steps of 1, 2, 2.5, 5 × 10ⁿ; whole numbers for counts', () => {
    expect([0.8, 1, 1.2, 2.2, 3, 7, 18.25, 26.7, 180].map((r) => niceStep(r, false))).toEqual([
      1, 1, 2, 2.5, 5, 10, 20, 50, 200,
    ]);
    expect([0.25, 2.2, 3, 24].map((r) => niceStep(r, true))).toEqual([1, 5, 5, 25]);
  });

  it('at most one tick every other row', () => {
    expect([1, 2, 3, 4, 5, 8, 10].map(maxTicksFor)).toEqual([2, 2, 2, 2, 3, 4, 5]);
  });

  it('percent: the top rounds up to a whole step', () => {
    expect(niceScale(0, 73, 5, percentFormat, { min: 0 })).toEqual({ min: 0, max: 80, ticks: [0, 20, 40, 60, 80] });
    expect(niceScale(0.2, 0.3, 3, percentFormat, { min: 0 })).toEqual({ min: 0, max: 1, ticks: [0, 0.5, 1] });
  });

  it('no data: zero to the format’s smallest span', () => {
    expect(niceScale(NaN, NaN, 5, percentFormat)).toEqual({ min: 0, max: 1, ticks: [0, 0.25, 0.5, 0.75, 1] });
    expect(niceScale(Infinity, -Infinity, 3, countFormat)).toEqual({ min: 0, max: 1, ticks: [0, 1] });
  });

  it('counts stay whole', () => {
    expect(niceScale(0, 1, 5, countFormat)).toEqual({ min: 0, max: 1, ticks: [0, 1] });
    expect(niceScale(0, 7, 3, countFormat)).toEqual({ min: 0, max: 10, ticks: [0, 5, 10] });
  });

  it('memory: round in binary units', () => {
    const s = niceScale(0, 3.2 * MiB, 5, bytesFormat, { min: 0 });
    expect(s).toEqual({ min: 0, max: 4 * MiB, ticks: [0, 1, 2, 3, 4].map((n) => n * MiB) });
    expect(s.ticks.map(bytesFormat.tick)).toEqual(['0B', '1MiB', '2MiB', '3MiB', '4MiB']);
    expect(niceScale(0, 700 * MiB, 5, bytesFormat).ticks.map(bytesFormat.tick)).toEqual([
      '0B',
      '200MiB',
      '400MiB',
      '600MiB',
      '800MiB',
    ]);
    expect(niceScale(0, 7.7 * 1024 * MiB, 5, bytesFormat).ticks.map(bytesFormat.tick)).toEqual([
      '0B',
      '2GiB',
      '4GiB',
      '6GiB',
      '8GiB',
    ]);
  });

  it('rates: round in decimal units, written as docker writes sizes', () => {
    const s = niceScale(0, 1.5e6, 4, rateFormat, { min: 0 });
    expect(s).toEqual({ min: 0, max: 1.5e6, ticks: [0, 0.5e6, 1e6, 1.5e6] });
    expect(s.ticks.map(rateFormat.tick)).toEqual(['0B/s', '500kB/s', '1MB/s', '1.5MB/s']);
    expect(niceScale(0, 0, 3, rateFormat).ticks.map(rateFormat.tick)).toEqual(['0B/s', '500B/s', '1kB/s']);
  });

  it('a fixed end is kept and labelled', () => {
    expect(niceScale(0, 30, 4, percentFormat, { min: 0, max: 100 })).toEqual({ min: 0, max: 100, ticks: [0, 50, 100] });
    expect(niceScale(0, 3, 2, countFormat, { min: 0, max: 3 })).toEqual({ min: 0, max: 3, ticks: [0, 3] });
    // 90 is off the step of 50: the tick at 50 stays, 90 is added
    expect(niceScale(0, 30, 3, percentFormat, { min: 0, max: 90 }).ticks).toEqual([0, 50, 90]);
    // 110 is within half a step of 100: it takes 100's place
    expect(niceScale(0, 30, 4, percentFormat, { min: 0, max: 110 }).ticks).toEqual([0, 50, 110]);
  });

  it('negative data rounds the bottom down', () => {
    expect(niceScale(-3, 7, 5, percentFormat)).toEqual({ min: -5, max: 7.5, ticks: [-5, -2.5, 0, 2.5, 5, 7.5] });
  });
});

describe('value formats', () => {
  it('as docker stats writes them', () => {
    expect(percentFormat.value(12.3456)).toBe('12.35%');
    expect(percentFormat.tick(12.5)).toBe('12.5%');
    expect(bytesFormat.value(2048000)).toBe('1.953MiB');
    expect(rateFormat.value(1234)).toBe('1.23kB/s');
    expect(countFormat.value(12)).toBe('12');
  });

  it('humanRate and sizeDivisor agree with humanSize and bytesSize', () => {
    expect(humanRate(0)).toBe('0B/s');
    expect(humanRate(1_500_000)).toBe('1.5MB/s');
    expect([0, 999, 1000, 999_999, 1e6].map((b) => sizeDivisor(b, 1000))).toEqual([1, 1, 1000, 1000, 1e6]);
    expect([1023, 1024, 1000 * MiB, 1024 * MiB].map((b) => sizeDivisor(b, 1024))).toEqual([1, 1024, MiB, 1024 * MiB]);
  });

  it('window labels', () => {
    expect([60_000, 90_000, 120_000, 300_000, 3_600_000, 5_400_000].map(windowLabel)).toEqual([
      '60s',
      '90s',
      '2m',
      '5m',
      '1h',
      '90m',
    ]);
  });
});
