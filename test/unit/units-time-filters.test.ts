import { describe, expect, it } from 'vitest';
import { boolFilter, matchLabel, matchReference, pathMatch } from '../../src/engine/util/filters.js';
import { formatRFC3339Nano, parseGoDuration, parseTimestampFilter } from '../../src/engine/util/time.js';
import { fromHumanSize, parseCpus, ramInBytes } from '../../src/engine/util/units.js';

describe('sizes', () => {
  it('parses RAM sizes with binary units', () => {
    expect(ramInBytes('64m')).toBe(64 * 1024 * 1024);
    expect(ramInBytes('64MB')).toBe(64 * 1024 * 1024);
    expect(ramInBytes('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(ramInBytes('512')).toBe(512);
    expect(ramInBytes('10KiB')).toBe(10240);
    expect(() => ramInBytes('64x')).toThrow("invalid size: '64x'");
    expect(() => ramInBytes('')).toThrow('invalid size');
    expect(fromHumanSize('10MB')).toBe(10_000_000);
  });
  it('parses CPUs into nano CPUs', () => {
    expect(parseCpus('0.5')).toBe(500_000_000);
    expect(parseCpus('2')).toBe(2_000_000_000);
    expect(() => parseCpus('abc')).toThrow('failed to parse abc as a rational number');
    expect(() => parseCpus('0.0000000001')).toThrow('value is too precise');
  });
});

describe('times', () => {
  it('formats RFC3339Nano like Go', () => {
    expect(formatRFC3339Nano(new Date(Date.UTC(2026, 10, 23, 10, 0, 0, 120)))).toBe('2026-11-23T10:00:00.12Z');
    expect(formatRFC3339Nano(new Date(Date.UTC(2026, 10, 23, 10, 0, 0, 0)))).toBe('2026-11-23T10:00:00Z');
    expect(formatRFC3339Nano(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), 7)).toBe('2026-01-02T03:04:05.006000007Z');
  });
  it('parses Go durations', () => {
    expect(parseGoDuration('1h30m')).toBe(5400e9);
    expect(parseGoDuration('90s')).toBe(90e9);
    expect(parseGoDuration('1.5s')).toBe(1.5e9);
    expect(() => parseGoDuration('10x')).toThrow('invalid duration');
  });
  it('parses --since/--until values', () => {
    const now = new Date(Date.UTC(2026, 0, 1, 0, 0, 0));
    const nowNs = BigInt(now.getTime()) * 1_000_000n;
    expect(parseTimestampFilter('10m', now)).toBe(nowNs - 600_000_000_000n);
    expect(parseTimestampFilter('1700000000.5', now)).toBe(1_700_000_000_500_000_000n);
    expect(parseTimestampFilter('2026-01-01T00:00:00Z', now)).toBe(nowNs);
    expect(parseTimestampFilter('2026-01-01T00:00:00.000000001Z', now)).toBe(nowNs + 1n);
    expect(() => parseTimestampFilter('yesterday', now)).toThrow('failed to parse value as time or duration');
  });
});

describe('filters', () => {
  it('bool filters', () => {
    expect(boolFilter(['true'], 'dangling')).toBe(true);
    expect(boolFilter(['0'], 'dangling')).toBe(false);
    expect(() => boolFilter(['maybe'], 'dangling')).toThrow("invalid filter 'dangling=maybe'");
  });
  it('label filters', () => {
    const l = { a: '1', b: '' };
    expect(matchLabel(l, 'a')).toBe(true);
    expect(matchLabel(l, 'a=1')).toBe(true);
    expect(matchLabel(l, 'a=2')).toBe(false);
    expect(matchLabel(l, 'a!=2')).toBe(true);
    expect(matchLabel(l, 'c')).toBe(false);
    expect(matchLabel(null, 'c')).toBe(false);
  });
  it('reference globs as path.Match on name:tag then name', () => {
    expect(pathMatch('bb*', 'bb-layers')).toBe(true);
    expect(pathMatch('*', 'a/b')).toBe(false);
    expect(matchReference('bb-layers', 'bb-layers:v1')).toBe(true);
    expect(matchReference('bb-layers:v*', 'bb-layers:v1')).toBe(true);
    expect(matchReference('bb-layers:v*', 'bb-layers:latest')).toBe(false);
    expect(matchReference('*/bb-layers', 'localhost/bb-layers:v1')).toBe(true);
    expect(matchReference('b?', 'bb:latest')).toBe(true);
    // the canonical forms match too, as in moby's image list
    expect(matchReference('docker.io/library/bb-layers', 'bb-layers:v1')).toBe(true);
    expect(matchReference('docker.io/library/*:v1', 'bb-layers:v1')).toBe(true);
    expect(matchReference('docker.io/*/bb', 'bb:latest')).toBe(true);
    expect(matchReference('docker.io/library/*:v1', 'bb-layers:v0')).toBe(false);
  });
});
