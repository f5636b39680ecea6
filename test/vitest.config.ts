import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { INK_ALIASES } from './setup/ink-bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  // the component tests run Ink as the app's bundle has it, edits included (test/setup/ink-bundle.ts)
  resolve: { alias: INK_ALIASES },
  // Vite's esbuild step leaves .cts out by default: the command line's entry and its code-cache loader are
  // CommonJS TypeScript (src/cli/main.cts, code-cache.cts)
  esbuild: { include: /\.(m?ts|cts|[jt]sx)$/ },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/setup/skip-reporter.ts'],
    globalSetup: ['test/setup/ink-bundle.ts', 'test/setup/peers.ts'],
  },
});
