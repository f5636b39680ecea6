/** Names sorted by their UTF-8 bytes, with and without the string fast path. */
import { describe, expect, it } from 'vitest';
import { sortByBytes } from '../../src/common/byte-order.js';

const bytewise = (names: string[]) => [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe('sortByBytes', () => {
  it('orders ASCII names as bytes (upper case, digits, dots, prefixes)', () => {
    const names = ['b', 'a.txt', 'B', 'a', '_x', '10', '9', 'ab', '.hidden', 'a-b', 'A'];
    expect(sortByBytes([...names])).toEqual(bytewise(names));
    expect(sortByBytes([...names])[0]).toBe('.hidden');
  });

  it('orders names beyond the BMP after U+E000-U+FFFF, as UTF-8 does (UTF-16 would not)', () => {
    const names = ['\u{1F600}', '\uFF21', 'z', '\u00e9', '\uE000x'];
    const sorted = sortByBytes([...names]);
    expect(sorted).toEqual(bytewise(names));
    expect(sorted.indexOf('\u{1F600}')).toBeGreaterThan(sorted.indexOf('\uFF21'));
  });
});
