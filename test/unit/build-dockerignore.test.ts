/** .dockerignore with docker's pattern rules. */
import { describe, expect, it } from 'vitest';
import { IgnoreMatcher, parseDockerignore } from '../../src/common/dockerignore.js';

const m = (text: string) => new IgnoreMatcher(parseDockerignore(text));

describe('.dockerignore', () => {
  it('reads patterns: comments, blanks, cleaning, exceptions', () => {
    expect(parseDockerignore('\uFEFF# c\n\n ./a/../b/ \n!/c\n/d\n*.md  \n')).toEqual(['b', '!c', 'd', '*.md']);
  });
  it('* and ? stay in one directory; ** crosses any number, none included', () => {
    const x = m('*.log\nsrc/?.tmp\n**/cache\ndocs/**/*.png');
    expect(x.ignores('a.log')).toBe(true);
    expect(x.ignores('sub/a.log')).toBe(false);
    expect(x.ignores('src/a.tmp')).toBe(true);
    expect(x.ignores('src/ab.tmp')).toBe(false);
    expect(x.ignores('cache')).toBe(true);
    expect(x.ignores('a/b/cache/file')).toBe(true);
    expect(x.ignores('docs/x.png')).toBe(true);
    expect(x.ignores('docs/a/b/x.png')).toBe(true);
  });
  it('a matched directory takes its contents; the last matching pattern wins', () => {
    const x = m('node_modules\nbuild\n!build/keep.txt\n*.txt\n!important.txt');
    expect(x.ignores('node_modules/a/b.js')).toBe(true);
    expect(x.ignores('build/out.o')).toBe(true);
    expect(x.ignores('build/keep.txt')).toBe(false); // *.txt stays in the top directory
    expect(x.ignores('important.txt')).toBe(false);
    const y = m('build\n!build/keep.txt');
    expect(y.ignores('build/keep.txt')).toBe(false);
    expect(y.canSkipDir('build')).toBe(false);
    expect(m('build').canSkipDir('build')).toBe(true);
  });
  it('** alone matches everything, and exceptions bring files back', () => {
    const x = m('**\n!Dockerfile\n!src/**');
    expect(x.ignores('anything/at/all')).toBe(true);
    expect(x.ignores('Dockerfile')).toBe(false);
    expect(x.ignores('src/a/b.c')).toBe(false);
  });
  it('character classes and escapes', () => {
    const x = m('file[0-9].txt\nq\\*');
    expect(x.ignores('file3.txt')).toBe(true);
    expect(x.ignores('filex.txt')).toBe(false);
    expect(x.ignores('q*')).toBe(true);
    expect(x.ignores('qq')).toBe(false);
  });
});

describe('.dockerignore: docker quirks kept', () => {
  it('only a line starting with # is a comment', () => {
    expect(parseDockerignore(' #x\n#y\n')).toEqual(['#x']);
  });
  it('a trailing ** matches by prefix, as docker matches it', () => {
    const x = m('foo/**');
    expect(x.ignores('foo')).toBe(false);
    expect(x.ignores('foo/a/b')).toBe(true);
    expect(x.ignores('foobar')).toBe(false);
    expect(m('foo**').ignores('foobar/x')).toBe(true);
  });
  it('a character class goes to the regular expression as written', () => {
    const x = m('[!a]b');
    expect(x.ignores('!b')).toBe(true);
    expect(x.ignores('ab')).toBe(true);
    expect(x.ignores('cb')).toBe(false);
    expect(m('[^a]b').ignores('cb')).toBe(true);
  });
  it('"!" alone is an error', () => {
    expect(() => m('!')).toThrow('illegal exclusion pattern: "!"');
  });
});
