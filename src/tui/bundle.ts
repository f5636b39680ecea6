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
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_EDITS, editModules } from './ink-edits.js';

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
  banner: {
    js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);",
  },
  // read only when a config file exists
  external: ['zod'],
  plugins: [keepSeam, editModules(BUNDLE_EDITS)],
  logLevel: 'warning',
  legalComments: 'none',
});
