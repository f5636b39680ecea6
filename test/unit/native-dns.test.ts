/** berth-dns's own C unit tests (native/tests/dns-unit.c: the wire format, record files, answers), run through vitest. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/env.js';

describe('berth-dns C unit tests', () => {
  it('all pass', () => {
    const out = execFileSync(join(REPO, 'native', 'build', 'Release', 'berth-dns-tests'), { encoding: 'utf8' });
    const notOk = out.split('\n').filter((l) => l.startsWith('not ok'));
    expect(notOk).toEqual([]);
    expect(out).toMatch(/^1\.\.\d+$/m);
  });

  it('the responder is a static binary', () => {
    const out = execFileSync('file', [join(REPO, 'native', 'build', 'Release', 'berth-dns')], { encoding: 'utf8' });
    expect(out).toMatch(/statically linked/);
  });
});
