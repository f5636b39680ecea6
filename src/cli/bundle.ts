/**
 * Build step (after tsc): the command line (program.js, the verbs, the client
 * and the engine) bundled into one CommonJS file, dist/cli/bundle/cli.cjs,
 * with V8's code cache beside it (code-cache.ts). A short command spends most
 * of its time loading code: as modules, Node resolves, reads and compiles
 * some hundred and fifty of them for `berth run`, and as chunks of ES modules
 * some sixty for `berth pull`; one file compiled from its code cache starts
 * in a fraction of that (bench/run-latency.mjs and bench/pull-push.mjs
 * measure it). The verbs stay lazily loaded: a verb's modules run their top
 * level only when a command line names it. dist/cli/main.cjs loads the
 * bundle when it is there, else program.js.
 *
 * The modules that find files relative to themselves (the native addon and
 * monitor, the fs helper, the CLI for a shell's child, package.json) keep
 * doing so from their own place in dist: their `import.meta.url` becomes the
 * URL of their file in dist, not of the bundle (bundle-own-url.ts).
 *
 * Then the code cache: the bundle is loaded here, every verb once, and the
 * bytecode V8 compiled for it is written to cli.cjs.cache.
 *
 * Last, the run plans' stamp (native/constants.json plan.stampFile, in the
 * bundle's directory): a SHA-256 of the bundle, the code that computes the
 * plans `berth run` writes, and of native/constants.json, which that code
 * and the launcher read (the code cache is made from the bundle and is left
 * out). A plan carries the stamp of the build that wrote it; the launcher
 * hands a plan with another stamp to Node (engine/container/run-plan.ts).
 *
 *   node dist/cli/bundle.js
 */
import { build, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownImportMetaUrl } from '../tui/bundle-own-url.js';
import { CLI_BUNDLE_EDITS, editModules } from '../tui/ink-edits.js';
import { cacheFile, writeCodeCache } from './code-cache.cjs';

const CLI = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(CLI, '..');
const OUTDIR = join(CLI, 'bundle');
/** The bundle main.cjs loads. */
export const BUNDLE = join(OUTDIR, 'cli.cjs');
const CONSTANTS = join(DIST, '..', 'native', 'constants.json');

/** The app is started by main.cjs, never from the command line's bundle. */
const noApp: Plugin = {
  name: 'no-app',
  setup(b) {
    b.onResolve({ filter: /[\\/]tui[\\/]/ }, (args) => {
      throw new Error(`${args.importer} imports ${args.path}: the command line's bundle holds no app code`);
    });
  },
};

/**
 * `await import('node:https')` and the like become require() (a CommonJS file compiled by
 * code-cache.ts has no loader for import()); the bundle's own modules are imported lazily by esbuild.
 * better-sqlite3's JavaScript is bundled (in the code cache, it costs nothing to load; from node_modules,
 * a dozen files read and compiled at every start) and its addon is loaded by path (store/db.ts).
 */
const EXTERNAL = ['lzma-native'];
const requireDynamic: Plugin = {
  name: 'require-dynamic',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(node:|(${EXTERNAL.join('|')})$)`) }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'require-dynamic' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'require-dynamic' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

rmSync(OUTDIR, { recursive: true, force: true });
mkdirSync(OUTDIR);
const result = await build({
  entryPoints: [join(CLI, 'program.js')],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // native addons stay where npm put them
  external: EXTERNAL,
  plugins: [
    requireDynamic,
    ownImportMetaUrl(DIST, OUTDIR, ['cli', 'client', 'engine', 'server'], 'cjs'),
    noApp,
    editModules(CLI_BUNDLE_EDITS),
  ],
  // no comments nor indentation: a third smaller, and ASCII (a string of one-byte characters in V8)
  minifyWhitespace: true,
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});
for (const out of Object.values(result.metafile.outputs))
  for (const i of out.imports)
    if (i.kind === 'dynamic-import') throw new Error(`${i.path}: an import() left in the command line's bundle`);

// ASCII, which code-cache.ts reads as one-byte characters (esbuild escapes the rest; this says if that changes)
if (readFileSync(BUNDLE).some((b) => b > 0x7f)) throw new Error(`${BUNDLE}: not ASCII`);

// every verb loaded once: the cache holds the top level of every module the command line has
const bytes = await writeCodeCache<typeof import('./program.js')>(BUNDLE, async (m) => {
  await m.allVerbs();
});
if (!bytes) throw new Error("the command line's code cache is empty");

/** The stamp: the bundle's files in name order (the code cache left out), then the constants, each with its name. */
const hash = createHash('sha256');
const inputs: [string, string][] = readdirSync(OUTDIR)
  .filter((f) => join(OUTDIR, f) !== cacheFile(BUNDLE))
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
