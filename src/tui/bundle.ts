/**
 * Build step (after tsc): the app and the libraries it draws with (Ink,
 * React and their dependencies) in one file, dist/tui/berth-app.js, with React's
 * production build. Loading Ink and React as hundreds of modules takes
 * several hundred milliseconds, most of the budget of the first frame; the
 * bundle loads in a fraction of that (bench/tui.mjs measures it).
 *
 * The client and the engine stay outside the bundle, imported from dist as
 * they are: one copy of each module (errors are told apart by class), and
 * the engine finds its helper programs relative to its own files.
 *
 *   node dist/tui/bundle.js
 */
import { build, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TUI = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(TUI, '..');
const OUT = join(TUI, 'berth-app.js');

/** Imports of dist/client and dist/engine stay imports, rewritten relative to the bundle. */
const keepSeam: Plugin = {
  name: 'keep-client-and-engine',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      const rel = relative(DIST, target);
      if (!/^(client|engine)\//.test(rel)) return undefined;
      return { path: './' + relative(dirname(OUT), target).replace(/^\.\//, ''), external: true };
    });
  },
};

/**
 * Three edits to Ink's renderer, each found exactly once or the build fails
 * (a new Ink must be looked at again). Ink builds the caches behind a frame
 * (text widths, ANSI tokens per line) anew for every frame, measures each
 * text's widest line again uncached, and keeps every text it ever measured
 * in a map that is never emptied. A live list then spends most of a frame
 * (about 10 ms) re-measuring lines that did not change, and a followed log
 * grows that map by every line it shows. Here the caches outlive the frame,
 * widest-line goes through them, and every cache is emptied past a bound.
 */
const CACHE_BOUND = 20_000;
const INK_EDITS: Record<string, [string, string][]> = {
  'output.js': [
    [
      'class OutputCaches {',
      `let sharedCaches;\nconst frameCaches = () => {\n    if (!sharedCaches || sharedCaches.widths.size + sharedCaches.styledChars.size + sharedCaches.blockWidths.size > ${CACHE_BOUND})\n        sharedCaches = new OutputCaches();\n    return sharedCaches;\n};\nexport const cachedWidestLine = (text) => frameCaches().getWidestLine(text);\nclass OutputCaches {`,
    ],
    ['caches = new OutputCaches();', 'caches = frameCaches();'],
  ],
  'render-node-to-output.js': [
    ["import widestLine from 'widest-line';", "import { cachedWidestLine as widestLine } from './output.js';"],
  ],
  'measure-text.js': [['    cache.set(text, dimensions);', `    if (cache.size > ${CACHE_BOUND})\n        cache.clear();\n    cache.set(text, dimensions);`]],
};

const patchInk: Plugin = {
  name: 'patch-ink-caches',
  setup(b) {
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/](output|render-node-to-output|measure-text)\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      for (const [from, to] of INK_EDITS[basename(args.path)] ?? []) {
        if (text.split(from).length !== 2) throw new Error(`ink's ${basename(args.path)} changed: "${from}" is not there once; look at the cache edits in bundle.ts again`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

await build({
  entryPoints: [join(TUI, 'start.js')],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Ink loads React's devtools only when DEV=true; the app never does
  alias: { 'react-devtools-core': join(TUI, 'bundle-devtools-stub.js') },
  // CommonJS parts of React call require()
  banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
  // read only when a config file exists
  external: ['zod'],
  plugins: [keepSeam, patchInk],
  logLevel: 'warning',
  legalComments: 'none',
});
