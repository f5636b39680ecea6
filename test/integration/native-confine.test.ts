/**
 * The monitor's confinement compilers, in C (native/tests/confine.c, berth-confine-tests): seccomp filters
 * installed in forked children that make real syscalls, and the cgroup v2 device program loaded into the
 * kernel and attached to a cgroup of the v2 hierarchy that a child joins before it opens device nodes.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO, describeIf, skipReason } from '../helpers/env.js';

describeIf(skipReason())('berth-confine-tests', () => {
  it('all pass, none skipped', () => {
    const out = execFileSync(join(REPO, 'native', 'build', 'Release', 'berth-confine-tests'), { encoding: 'utf8' });
    expect(out.split('\n').filter((l) => l.startsWith('not ok'))).toEqual([]);
    expect(out.split('\n').filter((l) => l.includes('# SKIP'))).toEqual([]);
    expect(out).toMatch(/the device program attaches to a v2 cgroup/);
    expect(out).toMatch(/^1\.\.\d+$/m);
  });
});
