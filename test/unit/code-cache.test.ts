/**
 * The command line's bundle compiled with V8's code cache (src/cli/code-cache.ts):
 * the build's cache is taken by the Node that runs the commands, a cache is
 * never used for a bundle it was not made from (V8 itself checks only the
 * source's length), and a missing or refused cache is written again after a
 * command, where the directory allows.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheFile, loadBundle, writeCodeCache } from '../../src/cli/code-cache.cjs';
import { REPO } from '../helpers/env.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A CommonJS "bundle" whose function answers `word` (the same length for every word of four letters). */
function bundle(word: string, dir = mkdtempSync(join(tmpdir(), 'berth-code-cache-'))): string {
  if (!dirs.includes(dir)) dirs.push(dir);
  const file = join(dir, 'cli.cjs');
  writeFileSync(file, `"use strict";module.exports = { say: () => ${JSON.stringify(word)}, dir: __dirname };\n`);
  return file;
}
type Say = { say: () => string; dir: string };

describe('code cache', () => {
  it("the build's cache is taken by this Node, and the bundle it compiles runs `berth version`", async () => {
    const cli = join(REPO, 'dist', 'cli', 'bundle', 'cli.cjs');
    expect(existsSync(cacheFile(cli))).toBe(true);
    // a fresh node with the default flags, as bin/berth runs it (the test runner's own flags may differ)
    const probe = `import { loadBundle } from ${JSON.stringify(join(REPO, 'dist', 'cli', 'code-cache.cjs'))};
      const { exports, cached } = loadBundle(${JSON.stringify(cli)});
      console.log(cached, typeof exports.runCli);`;
    const r = await execa('node', ['--input-type=module', '-e', probe]);
    expect(r.stdout).toBe('true function');
    const v = await execa('node', [join(REPO, 'dist', 'cli', 'main.cjs'), 'version']);
    expect(v.stdout).toMatch(/^berth version \d+\.\d+\.\d+\n/);
  });

  it('compiles from a cache made from the same bundle; the CommonJS wrapper gives its file and directory', async () => {
    const file = bundle('aaaa');
    expect(await writeCodeCache<Say>(file, async (m) => void m.say())).toBeGreaterThan(0);
    const { exports, cached } = loadBundle<Say>(file);
    expect([cached, exports.say(), exports.dir]).toEqual([true, 'aaaa', join(file, '..')]);
  });

  it('a bundle rewritten after its cache was made runs its own code, never the cached one (same length)', async () => {
    const file = bundle('aaaa');
    await writeCodeCache<Say>(file, async (m) => void m.say());
    const made = readFileSync(cacheFile(file));
    bundle('bbbb', join(file, '..'));
    // a new modification time: the cache names the bundle it was made from by size and time
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const { exports, cached, renew } = loadBundle<Say>(file);
    expect([cached, exports.say()]).toEqual([false, 'bbbb']);
    // the command ran: the cache is made again, from this bundle, and taken by the next command
    renew();
    expect(readFileSync(cacheFile(file)).equals(made)).toBe(false);
    const next = loadBundle<Say>(file);
    expect([next.cached, next.exports.say()]).toEqual([true, 'bbbb']);
  });

  it('a missing cache: the bundle compiles from its source, and the cache is written after the command', () => {
    const file = bundle('cccc');
    const first = loadBundle<Say>(file);
    expect([first.cached, first.exports.say()]).toEqual([false, 'cccc']);
    first.renew();
    expect(existsSync(cacheFile(file))).toBe(true);
    expect(loadBundle<Say>(file).cached).toBe(true);
  });

  it('a cache for this bundle that V8 refuses (garbled bytecode): compiled from the source, then written again', () => {
    // a source this process has not compiled (V8 would take its own in-memory copy otherwise)
    const file = bundle('eeee');
    const st = statSync(file, { bigint: true });
    writeFileSync(
      cacheFile(file),
      Buffer.concat([Buffer.from(`berth-code-cache ${st.size} ${st.mtimeNs}\n`), Buffer.alloc(4096, 7)]),
    );
    const refused = loadBundle<Say>(file);
    expect([refused.cached, refused.exports.say()]).toEqual([false, 'eeee']);
    refused.renew();
    expect(readFileSync(cacheFile(file)).subarray(-4096).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it('a cache that cannot be written (here a directory stands in its place): the command runs without one', () => {
    const file = bundle('dddd');
    mkdirSync(cacheFile(file));
    const r = loadBundle<Say>(file);
    expect(r.exports.say()).toBe('dddd');
    expect(() => r.renew()).not.toThrow();
    expect(readdirSync(join(file, '..')).sort()).toEqual(['cli.cjs', 'cli.cjs.cache']);
  });
});
