// Lint rules that keep the architecture honest (DESIGN.md section 1):
// tui -> client -> engine, cli -> client -> engine, server -> client -> engine
// (common/ is below both engine/ and client/, and imports only engine/errors)
// (engine/ and client/ never import server/); keymap/ and theme/ import
// nothing from hooks or components. Type checking is done by tsc.
import tsParser from '@typescript-eslint/parser';

const upward = (dirs, why) => ({
  patterns: dirs.map((d) => ({ group: [`**/${d}/**`, `**/${d}`], message: why })),
});

export default [
  {
    files: ['src/**/*.ts', 'src/**/*.cts', 'src/**/*.tsx', 'test/**/*.ts', 'test/**/*.tsx', 'bench/**/*.ts'],
    languageOptions: { parser: tsParser, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      'no-debugger': 'error',
      'no-duplicate-imports': 'error',
      'no-var': 'error',
      'prefer-const': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        upward(
          ['client', 'cli', 'tui', 'server'],
          'the engine is a library: it never imports the client, the CLI, the UI or the API server',
        ),
      ],
      'no-restricted-globals': ['error', { name: 'console', message: 'the engine never prints' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'argv', message: 'the engine never reads process.argv' },
        { object: 'process', property: 'exit', message: 'the engine never exits the process' },
      ],
    },
  },
  {
    // a separate helper process (chrooted into a container), so it owns argv and exit
    files: ['src/engine/runtime/fs-helper.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // what the engine and the client both read the same way (.dockerignore, archive sniffing)
    files: ['src/common/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        upward(
          ['client', 'cli', 'tui', 'server'],
          'common/ is shared by the engine and the client: it imports neither',
        ),
      ],
    },
  },
  {
    files: ['src/client/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        upward(['cli', 'tui', 'server'], 'the client seam never imports the CLI, the UI or the API server'),
      ],
    },
  },
  {
    // the API server is a shell over the client seam, like the CLI and the app
    files: ['src/server/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        upward(['engine', 'cli', 'tui'], 'the API server talks to the engine only through client/ (the Backend seam)'),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'argv', message: 'the API server takes its options from the CLI' },
        { object: 'process', property: 'exit', message: 'the API server never exits the process (the CLI does)' },
      ],
    },
  },
  {
    files: ['src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        upward(
          ['engine', 'tui/components', 'tui/panes'],
          'the CLI talks to the engine only through client/ (the TUI is started through tui/app entry)',
        ),
      ],
    },
  },
  {
    files: ['src/tui/**'],
    rules: {
      'no-restricted-imports': ['error', upward(['engine', 'cli'], 'the UI talks to the engine only through client/')],
    },
  },
  {
    files: ['src/tui/keymap/**', 'src/tui/theme/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        upward(
          ['hooks', 'components', 'panes', 'dialogs', 'engine', 'cli'],
          'keymap/ and theme/ import nothing from hooks or components',
        ),
      ],
    },
  },
];
