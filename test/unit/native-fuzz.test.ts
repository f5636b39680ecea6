/**
 * The native fuzz targets (native/fuzz: the JSON reader and writer, the control
 * socket's command lines and attach frames, berth-dns's queries, upstream replies
 * and record files), built with libFuzzer, ASan and
 * UBSan by scripts/fuzz.sh and run for a fixed number of inputs from their seed
 * corpus: a crash, a leak or a sanitizer report fails. `npm run fuzz -- --seconds
 * 600` runs them longer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO, describeIf, itIf } from '../helpers/env.js';

function clangMissing(): string | null {
  for (const cc of ['clang', 'clang-14']) {
    try {
      execFileSync(cc, ['--version'], { stdio: 'ignore' });
      return null;
    } catch {
      /* next */
    }
  }
  return 'clang is not installed (Debian: clang-14 libclang-rt-14-dev; scripts/peers.sh installs them)';
}

const reason = clangMissing();

describeIf(null)('native fuzz targets', () => {
  for (const target of ['json', 'control', 'dns']) {
    itIf(reason)(
      `${target}: 20000 inputs without a crash, leak or sanitizer report`,
      () => {
        const r = spawnSync(join(REPO, 'scripts', 'fuzz.sh'), ['--runs', '20000', target], { encoding: 'utf8' });
        expect(r.stderr).toMatch(/Done 20000 runs/);
        expect(r.status).toBe(0);
      },
      300_000,
    );
  }
});
