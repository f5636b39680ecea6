/**
 * The component tests render with the Ink users get: Ink as the app's bundle
 * has it, edited by src/tui/ink-edits.ts, not the unedited modules in
 * node_modules. This bundles `ink` and `ink-testing-library` with esbuild and
 * the same edit plugin as src/tui/bundle.ts (React stays outside, one copy for
 * Ink and the tests' components); vitest.config.ts points both names at the
 * result, and vitest's global setup builds it before any test file loads.
 *
 * The `ink` module here also exports the edited Output class as
 * `__berthEditedOutput`, so that a test can prove which renderer it runs
 * (test/tui/ink-edited.test.tsx).
 *
 * The bundle is kept under node_modules/.cache, in a directory named by a
 * hash of what it is made from (the edits, this file, the packages'
 * versions): a change to any of them builds a new one.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const require = createRequire(join(REPO, 'package.json'));
const EDITS = join(REPO, 'src', 'tui', 'ink-edits.ts');
const SELF = join(REPO, 'test', 'setup', 'ink-bundle.ts');
const version = (pkg: string) =>
  (JSON.parse(readFileSync(join(REPO, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

function key(): string {
  const h = createHash('sha256');
  for (const f of [EDITS, SELF]) h.update(readFileSync(f));
  for (const p of ['ink', 'ink-testing-library', 'string-width', 'esbuild']) h.update(`${p}@${version(p)}\n`);
  return h.digest('hex').slice(0, 16);
}

/** Where the bundle of this checkout's edits lives. */
export const INK_BUNDLE_DIR = join(REPO, 'node_modules', '.cache', 'berth-test-ink', key());

/** vite aliases: the exact names `ink` and `ink-testing-library` to the bundle's entries. */
export const INK_ALIASES = [
  { find: /^ink$/, replacement: join(INK_BUNDLE_DIR, 'ink.js') },
  { find: /^ink-testing-library$/, replacement: join(INK_BUNDLE_DIR, 'ink-testing-library.js') },
];

/** Build the bundle unless this checkout's is there (written to a scratch directory, then renamed into place). */
export async function buildInkBundle(): Promise<void> {
  if (existsSync(join(INK_BUNDLE_DIR, 'ink.js'))) return;
  const { build } = await import('esbuild');
  const { BUNDLE_EDITS, editModules } = await import('../../src/tui/ink-edits.js');
  const scratch = `${INK_BUNDLE_DIR}.${process.pid}.tmp`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(dirname(scratch), { recursive: true });
  const output = join(dirname(require.resolve('ink')), 'output.js');
  await build({
    entryPoints: [
      { in: 'berth-test:ink', out: 'ink' },
      { in: require.resolve('ink-testing-library'), out: 'ink-testing-library' },
    ],
    outdir: scratch,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['react', 'react/*'],
    // as in the app's bundle
    alias: { 'react-devtools-core': join(REPO, 'src', 'tui', 'bundle-devtools-stub.ts') },
    banner: {
      js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'berth-test-ink',
        setup(b) {
          b.onResolve({ filter: /^berth-test:ink$/ }, () => ({ path: 'ink', namespace: 'berth-test' }));
          b.onLoad({ filter: /.*/, namespace: 'berth-test' }, () => ({
            contents: `export * from 'ink';\nexport { default as __berthEditedOutput } from ${JSON.stringify(output)};\n`,
            resolveDir: REPO,
            loader: 'js',
          }));
        },
      },
      editModules(BUNDLE_EDITS),
    ],
    logLevel: 'warning',
    legalComments: 'none',
  });
  try {
    renameSync(scratch, INK_BUNDLE_DIR);
  } catch (e) {
    // another run built it meanwhile
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(join(INK_BUNDLE_DIR, 'ink.js'))) throw e;
  }
}

/** vitest global setup. */
export default async function setup(): Promise<void> {
  await buildInkBundle();
}
