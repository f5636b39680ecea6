/**
 * An esbuild plugin for both bundles (the app's, tui/bundle.ts, and the
 * command line's, cli/bundle.ts): a dist module that finds files relative
 * to itself (the native addon and monitor, the fs helper, the CLI for a
 * shell's child, package.json, native/constants.json) keeps doing so from
 * its own place in dist. Its `import.meta.url` becomes the URL of its file
 * in dist, not of the chunk it landed in.
 */
import type { Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';

/**
 * `import.meta.url` in a module under `dist` (its first directory one of `dirs`): that module's own
 * URL, relative to the output file's URL (an ES module's `import.meta.url`; a CommonJS output's
 * file name).
 */
export function ownImportMetaUrl(dist: string, outdir: string, dirs: string[], format: 'esm' | 'cjs' = 'esm'): Plugin {
  const under = new RegExp(`^(${dirs.join('|')})/`);
  const base = format === 'esm' ? 'import.meta.url' : "require('node:url').pathToFileURL(__filename)";
  return {
    name: 'own-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, async (args) => {
        if (!under.test(relative(dist, args.path).split('\\').join('/'))) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const rel = relative(outdir, args.path).split('\\').join('/');
        return {
          contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, ${base}).href`),
          loader: 'js',
        };
      });
    },
  };
}
