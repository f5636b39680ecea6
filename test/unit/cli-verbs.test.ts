/** The lazy verb index: every verb is reached by exactly the words its own `paths` declare. */
import { describe, expect, it } from 'vitest';
import { commandWords } from '../../src/cli/program.js';
import { findVerb, verbIndex } from '../../src/cli/verbs.js';

describe('the verb index', () => {
  it('lists each verb under the words of its paths, and no words twice', async () => {
    const seen = new Set<string>();
    for (const [words, load] of verbIndex) {
      const verb = await load();
      expect(
        verb.paths.map((p) => p.join(' ')),
        words.join('|'),
      ).toEqual(words);
      for (const w of words) {
        expect(seen.has(w), w).toBe(false);
        seen.add(w);
      }
    }
  });

  it('finds the verb from the leading words of argv, past the global options', async () => {
    expect(commandWords(['--root', '/r', 'container', 'ls', '-a'])).toEqual(['container', 'ls']);
    expect(commandWords(['run', '--rm', 'bb', 'true'])).toEqual(['run']);
    expect(commandWords(['run', 'bb', 'true'])).toEqual(['run', 'bb']);
    expect(commandWords(['--runroot=/x', 'ps'])).toEqual(['ps']);
    expect(commandWords(['-h'])).toEqual([]);
    expect((await findVerb(['run', 'bb'])!()).paths[0]).toEqual(['run']);
    expect((await findVerb(['container', 'ls'])!()).paths[0]).toEqual(['ps']);
    expect((await findVerb(['container', 'inspect'])!()).paths[0]).toEqual(['container', 'inspect']);
    expect((await findVerb(['volume', 'rm'])!()).paths[0]).toEqual(['volume', 'rm']);
    expect(findVerb(['container'])).toBeNull();
    expect(findVerb(['bogus'])).toBeNull();
  });
});
