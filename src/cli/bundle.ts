/**
 * Build step (after tsc): the command line (program.js, the verbs, the client
 * and the engine) bundled into dist/cli/bundle/, one chunk per lazily loaded
 * verb as before. A short command spends most of its time loading modules:
 * Node resolves, reads and compiles some hundred and fifty of them for `berth
 * run`; the bundle is a few files (bench/run-latency.mjs measures it).
 * dist/cli/main.js loads the bundle when it is there, else program.js.
 *
 * The modules that find files relative to themselves (the native addon and
 * monitor, the fs helper, the CLI for a shell's child, package.json) keep
 * doing so from their own place in dist: their `import.meta.url` becomes the
 * URL of their file in dist, not of the chunk they landed in.
 *
 * Last, the run plans' stamp (native/constants.json plan.stampFile, in the
 * bundle's directory): a SHA-256 of the bundle's files, the code that computes
 * the plans `berth run` writes, and of native/constants.json, which that code
 * and the launcher read. A plan carries the stamp of the build that wrote it;
 * the launcher hands a plan with another stamp to Node (engine/container/run-plan.ts).
 *
 *   node dist/cli/bundle.js
 */
import { build, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownImportMetaUrl } from '../tui/bundle-own-url.js';
import { CLI_BUNDLE_EDITS, editModules } from '../tui/ink-edits.js';

const CLI = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(CLI, '..');
const OUTDIR = join(CLI, 'bundle');
const CONSTANTS = join(DIST, '..', 'native', 'constants.json');

/** The app is started by main.js, never from the command line's bundle. */
const noApp: Plugin = {
  name: 'no-app',
  setup(b) {
    b.onResolve({ filter: /[\\/]tui[\\/]/ }, (args) => ({ path: args.path, external: true }));
  },
};

rmSync(OUTDIR, { recursive: true, force: true });
await build({
  entryPoints: [join(CLI, 'program.js')],
  outdir: OUTDIR,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies call require()
  banner: {
    js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);",
  },
  // native addons stay where npm put them
  external: ['better-sqlite3', 'lzma-native'],
  plugins: [
    ownImportMetaUrl(DIST, OUTDIR, ['cli', 'client', 'engine', 'server']),
    noApp,
    editModules(CLI_BUNDLE_EDITS),
  ],
  logLevel: 'warning',
  legalComments: 'none',
});

/** The stamp: the bundle's files in name order, then the constants, each with its name. */
const hash = createHash('sha256');
const inputs: [string, string][] = readdirSync(OUTDIR)
  .sort()
  .map((f) => [f, join(OUTDIR, f)]);
for (const [name, path] of [...inputs, ['constants.json', CONSTANTS]]) {
  hash.update(`${name}\0`);
  hash.update(readFileSync(path));
  hash.update('\0');
}
const { plan } = JSON.parse(readFileSync(CONSTANTS, 'utf8')) as { plan: { stampFile: string } };
const stampFile = join(DIST, '..', plan.stampFile);
if (dirname(stampFile) !== OUTDIR) throw new Error(`${plan.stampFile}: the stamp belongs in the bundle's directory`);
writeFileSync(stampFile, hash.digest('hex') + '\n');
