import { describe, expect, it } from 'vitest';
import { chainIds } from '../../src/engine/layer/chain.js';
import { entryPath, whiteoutOf } from '../../src/engine/layer/paths.js';
import { DIFF } from '../helpers/facts.js';

describe('layer entry paths', () => {
  it('normalises and contains', () => {
    expect(entryPath('./etc/passwd')).toBe('etc/passwd');
    expect(entryPath('/etc/passwd')).toBe('etc/passwd');
    expect(entryPath('a/../b/')).toBe('b');
    expect(entryPath('./')).toBe('');
    expect(entryPath('../x')).toBeNull();
    expect(entryPath('a/../../x')).toBeNull();
  });
  it('classifies whiteouts', () => {
    expect(whiteoutOf('bin/.wh.wc')).toEqual({ kind: 'whiteout', path: 'bin/wc' });
    expect(whiteoutOf('.wh.top')).toEqual({ kind: 'whiteout', path: 'top' });
    expect(whiteoutOf('data/sub/.wh..wh..opq')).toEqual({ kind: 'opaque', dir: 'data/sub' });
    expect(whiteoutOf('.wh..wh.plnk')).toEqual({ kind: 'meta' });
    expect(whiteoutOf('a/b')).toEqual({ kind: 'none' });
  });
});

describe('chain IDs', () => {
  it('follow the OCI definition', () => {
    const c = chainIds(DIFF);
    expect(c[0]).toBe(DIFF[0]);
    // the fixture layers' chain IDs as docker stores them
    expect(c[1]).toBe('sha256:ae15b5f465129e64cae13a9c94815780cdd100b77a029698436a0e47156c753e');
    expect(c[2]).toBe('sha256:df62053e2c9eb966e935349f72d8499386ef1e1184d7669289d1f4fbae51a7ec');
  });
});
