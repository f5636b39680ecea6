/** The cleaner every image-, container- and volume-supplied string passes before the app draws it. */
import { describe, expect, it } from 'vitest';
import { cleanText } from '../../src/tui/presenters/clean-text.js';
import { fit } from '../../src/tui/presenters/columns.js';
import { historyLines } from '../../src/tui/presenters/details.js';

const controls = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

describe('cleanText', () => {
  it('removes CSI and OSC sequences whole, and every other escape and control character', () => {
    expect(cleanText('a\x1b[2Jb\x1b]0;title\x07c\x1b]8;;http://x\x1b\\d')).toBe('abcd');
    expect(cleanText('x\u009b31my\x1bPq\x1b\\z\r\x7f\x00')).toBe('x31myqz');
    expect(cleanText('tab\there')).toBe('tab    here');
    expect(cleanText('plain ✓ text')).toBe('plain ✓ text');
  });

  it('fit never lets one through, whatever the width', () => {
    for (const w of [1, 5, 40]) expect(fit('\x1b]0;pwned\x07名前\x1b[2J', w)).not.toMatch(controls);
    expect(fit('\x1b]0;pwned\x07ok', 4)).toBe('ok  ');
  });

  it('history rows carry no escapes', () => {
    const lines = historyLines(
      [{ Id: '<missing>', Created: 0, CreatedBy: 'RUN \x1b[2Jevil', Size: 0, Comment: '\x1b]0;t\x07c', Tags: [] }],
      new Date(0),
    );
    for (const l of lines) expect(l).not.toMatch(controls);
    expect(lines[1]).toMatch(/c\s+RUN evil$/);
  });
});
