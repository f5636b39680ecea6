/**
 * The README's key list is the keymap table. On a mismatch, the expected
 * block is in the failure; BERTH_UPDATE_README=1 rewrites it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeKeyList } from '../../src/tui/keymap/readme.js';
import { REPO } from '../helpers/env.js';

const START = '<!-- keys:start (generated from src/tui/keymap/bindings.ts) -->\n';
const END = '<!-- keys:end -->';

describe('README key list', () => {
  it('matches the keymap table', () => {
    const file = join(REPO, 'README.md');
    const text = readFileSync(file, 'utf8');
    const a = text.indexOf(START);
    const b = text.indexOf(END);
    expect(a, 'README has the key list markers').toBeGreaterThanOrEqual(0);
    const want = readmeKeyList();
    const have = text.slice(a + START.length, b);
    if (have !== want && process.env.BERTH_UPDATE_README) {
      writeFileSync(file, text.slice(0, a + START.length) + want + text.slice(b));
      return;
    }
    expect(have).toBe(want);
  });
});
