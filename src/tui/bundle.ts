/**
 * Build step (after tsc): the app, with the client and the engine it opens
 * and the libraries it draws with (Ink, React and their dependencies), in
 * dist/tui/app/, with React's production build. Loading them as modules
 * (some hundred and sixty of dist/client and dist/engine, hundreds more for
 * Ink and React) takes several hundred milliseconds, most of the budget of
 * the first frame; the bundle loads in a fraction of that (bench/tui.mjs
 * measures it). What the first frame does not need is split off into chunks
 * loaded on first use (the engine's archives, build and registry code, the
 * remote backend): the same dynamic imports as in the modules.
 *
 * Every module the app runs is in the bundle, so there is one copy of each
 * (errors are told apart by class). The modules that find files relative
 * to themselves keep doing so from their place in dist (bundle-own-url.ts).
 * The command line is never part of it: the engine names dist/cli/main.cjs
 * as a path for the processes it starts.
 *
 *   node dist/tui/bundle.js
 */
import { build, type Plugin } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownImportMetaUrl } from './bundle-own-url.js';
import { BUNDLE_EDITS, editModules } from './ink-edits.js';

const TUI = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(TUI, '..');
const OUTDIR = join(TUI, 'app');

/** The command line and the API server are other programs: the app never imports them. */
const noCli: Plugin = {
  name: 'no-cli',
  setup(b) {
    b.onResolve({ filter: /^\.\.?[\\/](.*[\\/])?(cli|server)[\\/]/ }, (args) => {
      throw new Error(`${args.importer} imports ${args.path}: the app's bundle holds no command line or server code`);
    });
  },
};

rmSync(OUTDIR, { recursive: true, force: true });
await build({
  entryPoints: { start: join(TUI, 'start.js') },
  outdir: OUTDIR,
  bundle: true,
  splitting: true,
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
  // zod: read only when a config file exists; native addons stay where npm put them
  external: ['zod', 'better-sqlite3', 'lzma-native'],
  plugins: [noCli, ownImportMetaUrl(DIST, OUTDIR, ['client', 'engine', 'tui']), editModules(BUNDLE_EDITS)],
  logLevel: 'warning',
  legalComments: 'none',
});
