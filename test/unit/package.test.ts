/**
 * The published package builds where it is installed (`npm install -g`
 * of a packed berth runs node-gyp on native/): every source binding.gyp
 * names, and the built CLI the bin points at, must be in the tarball.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/env.js';

describe('npm pack', () => {
  it('ships the native sources and the CLI', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    const gyp = JSON.parse(readFileSync(join(REPO, 'native', 'binding.gyp'), 'utf8')) as { targets: { sources: string[] }[] };
    const sources = gyp.targets.flatMap((t) => t.sources).map((s) => `native/${s}`);
    expect(sources.filter((s) => !files.has(s))).toEqual([]);
    const headers = readFileSync(join(REPO, 'native', 'monitor', 'monitor.h'), 'utf8').match(/#include "([^"]+)"/g) ?? [];
    for (const h of headers) expect(files.has(`native/monitor/${h.slice(10, -1)}`), h).toBe(true);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: { berth: string } };
    expect(files.has(pkg.bin.berth)).toBe(true);
    expect([...files].some((f) => f.startsWith('native/build/'))).toBe(false);
  });
});
