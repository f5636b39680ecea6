/**
 * The edits the app's bundle makes to Ink, string-width and yoga's loader
 * (src/tui/ink-edits.ts) change how fast a frame is made or the app starts,
 * never what it is: the edited modules are loaded here beside the originals
 * and compared with them.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import stringWidth from 'string-width';
import { applyEdits, BUNDLE_EDITS, CLI_BUNDLE_EDITS, NARROW_TEXT } from '../../src/tui/ink-edits.js';
import { REPO } from '../helpers/env.js';

const require = createRequire(import.meta.url);
const written: string[] = [];

/** The module as edited, written beside the original (so its imports resolve) and imported. */
async function edited<T>(module: string, edit = true): Promise<T> {
  const original = join(dirname(require.resolve('ink')), '..', '..', module);
  const path = original.replace(/\.js$/, `.berth-test-${process.pid}${edit ? '' : '-original'}.js`);
  const text = readFileSync(original, 'utf8');
  writeFileSync(path, edit ? applyEdits(module, text) : text);
  written.push(path);
  return (await import(pathToFileURL(path).href)) as T;
}

afterAll(() => {
  for (const p of written) rmSync(p, { force: true });
});

describe('bundle edits', () => {
  it('every edit is found exactly once in the installed modules', () => {
    for (const module of Object.keys(BUNDLE_EDITS)) {
      const original = join(dirname(require.resolve('ink')), '..', '..', module);
      expect(() => applyEdits(module, readFileSync(original, 'utf8'))).not.toThrow();
    }
    expect(() => applyEdits('string-width/index.js', 'no such text')).toThrow(/changed/);
    // the command line's bundle makes string-width's edits, and only those
    expect(Object.keys(CLI_BUNDLE_EDITS)).toEqual(['string-width/index.js']);
    expect(CLI_BUNDLE_EDITS['string-width/index.js']).toBe(BUNDLE_EDITS['string-width/index.js']);
  });

  it('every package whose built code is edited is pinned to the version installed, in package.json and the lockfile', () => {
    const json = (f: string) => JSON.parse(readFileSync(join(REPO, f), 'utf8'));
    const pkg = json('package.json') as { dependencies: Record<string, string> };
    const lock = json('package-lock.json') as {
      packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
    };
    const edited = new Set(
      Object.keys(BUNDLE_EDITS).map((m) =>
        m
          .split('/')
          .slice(0, m.startsWith('@') ? 2 : 1)
          .join('/'),
      ),
    );
    expect([...edited].sort()).toEqual(['ink', 'string-width', 'yoga-layout']);
    for (const name of edited) {
      const installed = (json(join('node_modules', name, 'package.json')) as { version: string }).version;
      expect(pkg.dependencies[name], name).toBe(installed);
      expect(lock.packages['']!.dependencies![name], name).toBe(installed);
      expect(lock.packages[`node_modules/${name}`]!.version, name).toBe(installed);
    }
  });

  it('counts every character of the narrow set as string-width does (one column), and strings of them by length', async () => {
    const narrow = new RegExp(NARROW_TEXT);
    const set: string[] = [];
    for (let cp = 0x20; cp <= 0xffff; cp++) {
      const ch = String.fromCharCode(cp);
      if (narrow.test(ch)) set.push(ch);
    }
    expect(set.length).toBeGreaterThan(600);
    const wrong = set.filter((ch) => stringWidth(ch) !== 1).map((ch) => ch.codePointAt(0)!.toString(16));
    expect(wrong).toEqual([]);
    // characters around the set are not in it: the soft hyphen (zero width) and the two emoji shapes (two columns)
    for (const ch of ['\u00ad', '\u25fd', '\u25fe', '\u2028', '\u2d00', '漢']) expect(narrow.test(ch)).toBe(false);
    const { default: editedWidth } = await edited<{ default: typeof stringWidth }>('string-width/index.js');
    // emoji go through the RGI regex, which the edit builds on first use
    const samples = [
      '▶ svc-19  Up 5 minutes  0.00%  468KiB│',
      '\u001b[7m─── Logs │ Stats ───\u001b[27m',
      '…·■●▸█░⣿⠁',
      'plain',
      'a\u00adb',
      '漢字 ▶',
      '◽x',
      'e\u0301',
      '👍',
      'a👍b',
      '👨‍👩‍👧',
      '🇫🇷',
      '1️⃣',
      '☺️',
      '☺',
    ];
    for (const s of samples) {
      expect(editedWidth(s)).toBe(stringWidth(s));
      expect(editedWidth(s, { ambiguousIsNarrow: false })).toBe(stringWidth(s, { ambiguousIsNarrow: false }));
    }
  });

  it("makes the same frames as Ink's own Output, frame after frame, with clips, styles, wide characters and transformers", async () => {
    interface OutputLike {
      write(x: number, y: number, text: string, o: { transformers: ((s: string, i: number) => string)[] }): void;
      clip(c: { x1?: number; x2?: number; y1?: number; y2?: number }): void;
      unclip(): void;
      get(): { output: string; height: number };
      uncachedGet(): { output: string; height: number };
    }
    const { default: Output } = await edited<{ default: new (o: { width: number; height: number }) => OutputLike }>(
      'ink/build/output.js',
    );
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const words = [
      'svc-1',
      '\u001b[31mred\u001b[39m',
      '\u001b[1mbold\u001b[22m text',
      '漢字',
      '▶ Up 5 minutes',
      '0.00%',
      '\u001b[7m inverse \u001b[27m',
      '…',
      'line\nnext line',
      '',
    ];
    const upper = (s: string) => s.toUpperCase();
    for (const size of [
      { width: 40, height: 12 },
      { width: 80, height: 24 },
    ]) {
      // a screen that mostly stays the same between frames, as an idle app's does
      const fixed = Array.from({ length: 30 }, () => ({
        x: rand(size.width + 4) - 2,
        y: rand(size.height + 2) - 1,
        text: words[rand(words.length)]! + ' ' + words[rand(words.length)]!,
        t: rand(3),
      }));
      for (let frame = 0; frame < 40; frame++) {
        const ops = fixed.map((o) => ({ ...o }));
        for (let k = 0; k < 3; k++) ops[rand(ops.length)]!.text = words[rand(words.length)]! + frame;
        const a = new Output(size);
        const b = new Output(size);
        for (const [i, o] of ops.entries()) {
          const clipped = i % 7 === 3;
          for (const out of [a, b]) {
            if (clipped) out.clip({ x1: 2, x2: size.width - 3, y1: 1, y2: size.height - 2 });
            out.write(o.x, o.y, o.text, { transformers: o.t === 1 ? [upper] : [] });
            if (clipped) out.unclip();
          }
        }
        expect(a.get()).toEqual(b.uncachedGet());
      }
    }
  });

  it("loads yoga's WebAssembly without fetch (which would load Node's undici first); the original fetches it", async () => {
    type LoadYoga = () => Promise<{ Node: unknown; Config: unknown }>;
    const module = 'yoga-layout/dist/binaries/yoga-wasm-base64-esm.js';
    const load = async (edit: boolean) => {
      const { default: loadYoga } = await edited<{ default: LoadYoga }>(module, edit);
      // a fetch that would fail: the loader falls back to decoding the data: URL itself
      const fetch = vi.fn(() => Promise.reject(new Error('no fetch here')));
      vi.stubGlobal('fetch', fetch);
      try {
        const yoga = await loadYoga();
        return { yoga, fetched: fetch.mock.calls.length };
      } finally {
        vi.unstubAllGlobals();
      }
    };
    const edit = await load(true);
    expect(edit.fetched).toBe(0);
    expect(typeof edit.yoga.Node).toBe('function');
    expect(typeof edit.yoga.Config).toBe('function');
    const original = await load(false);
    expect(original.fetched).toBe(1);
    expect(Object.keys(edit.yoga).sort()).toEqual(Object.keys(original.yoga).sort());
  });
});
