/**
 * The published package builds where it is installed (`npm install -g`
 * of a packed berth runs node-gyp on native/): every source binding.gyp
 * names (and the inputs of its actions: the shared constants and their
 * header's generator), and the bin, must be in the tarball; SQLite's
 * amalgamation comes from the better-sqlite3 dependency.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/env.js';

describe('npm pack', () => {
  it('ships the native sources and the CLI', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const files = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    const gyp = JSON.parse(readFileSync(join(REPO, 'native', 'binding.gyp'), 'utf8')) as {
      targets: { sources?: string[]; actions?: { inputs: string[] }[] }[];
    };
    const all = gyp.targets.flatMap((t) => t.sources ?? []);
    const inputs = gyp.targets.flatMap((t) => (t.actions ?? []).flatMap((a) => a.inputs));
    expect(inputs).toContain('constants.json');
    expect(inputs.map((i) => join('native', i)).filter((i) => !files.has(i))).toEqual([]);
    const sources = all.filter((s) => !s.startsWith('<(sqlite_dir)/')).map((s) => `native/${s}`);
    expect(sources.filter((s) => !files.has(s))).toEqual([]);
    const headers = [
      join('monitor', 'monitor.h'),
      join('launcher', 'launcher.h'),
      join('launcher', 'session.h'),
    ].flatMap((f) =>
      (readFileSync(join(REPO, 'native', f), 'utf8').match(/#include "([^"]+)"/g) ?? []).map((h) =>
        join('native', f, '..', h.slice(10, -1)),
      ),
    );
    for (const h of headers) expect(files.has(h), h).toBe(true);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      bin: { berth: string };
      dependencies: Record<string, string>;
    };
    expect(all.filter((s) => s.startsWith('<(sqlite_dir)/'))).toEqual(['<(sqlite_dir)/sqlite3.c']);
    expect(pkg.dependencies['better-sqlite3']).toBeDefined();
    expect(existsSync(join(REPO, 'node_modules', 'better-sqlite3', 'deps', 'sqlite3', 'sqlite3.c'))).toBe(true);
    expect(files.has(pkg.bin.berth)).toBe(true);
    expect([...files].some((f) => f.startsWith('native/build/'))).toBe(false);
  });
});
