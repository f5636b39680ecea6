/** The native monitor's own C unit tests (native/tests/unit.c), run through vitest. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/env.js';

describe('berth-monitor C unit tests', () => {
  it('all pass', () => {
    const out = execFileSync(join(REPO, 'native', 'build', 'Release', 'berth-monitor-tests'), { encoding: 'utf8' });
    const notOk = out.split('\n').filter((l) => l.startsWith('not ok'));
    expect(notOk).toEqual([]);
    expect(out).toMatch(/^1\.\.\d+$/m);
  });

  it('the monitor is a static binary (it is bound into containers as /dev/init)', () => {
    const out = execFileSync('file', [join(REPO, 'native', 'build', 'Release', 'berth-monitor')], { encoding: 'utf8' });
    expect(out).toMatch(/statically linked/);
  });
});
