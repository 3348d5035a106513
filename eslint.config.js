import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import boundaries from 'eslint-plugin-boundaries';

/**
 * The rooms of src/, lowest first. A room may import from itself and from rooms below it, never above
 * (../shared/STYLE.md): cli → commands → ui → peers → server → feedback → journal → state → probes → config → text → shared.
 * peers sit under ui and commands (the demo and the benchmarks start them) and above server (the webhook peer reuses
 * the receiver).
 */
const ROOMS = ['shared', 'text', 'config', 'probes', 'state', 'journal', 'feedback', 'server', 'peers', 'ui', 'commands', 'cli'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Layers: an upward import fails lint. (Import cycles, type-only ones too: dpdm in `npm run lint`.)
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    // src/cli.ts is the binary's entry, above every room: it only loads cli/program.
    ignores: ['src/cli.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: 'tsconfig.json' } },
      'boundaries/elements': ROOMS.map((room) => ({ type: room, pattern: `src/${room}` })),
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            ...ROOMS.map((room, i) => ({
              from: { element: { type: room } },
              allow: { to: { element: { types: { anyOf: ROOMS.slice(0, i + 1) } } } },
            })),
          ],
        },
      ],
      'boundaries/no-unknown-files': 'error',
    },
  },
  {
    // Memory (issue #18; src/shared/builtins.ts says why and measured it): a value import of node:http/https/http2 builds
    // their ESM facade, which loads Node's built-in undici, http2 and crypto (~13 MiB resident); localeCompare loads
    // ICU's collator (~2.8 MiB). The peers are loopback servers the console never loads (the demo aside).
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/peers/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['node:http', 'node:https', 'node:http2', 'http', 'https', 'http2'].map((name) => ({
            name,
            allowTypeImports: true,
            message: 'load it with nodeHttp()/nodeHttps() from src/shared/builtins.ts (an ESM import of it costs ~13 MiB)',
          })),
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='localeCompare']",
          message: 'use compareText from src/shared/builtins.ts (localeCompare loads ICU collation data, ~2.8 MiB)',
        },
        {
          selector: "ImportExpression[source.value=/^(node:)?https?2?$/]",
          message: 'load it with nodeHttp()/nodeHttps() from src/shared/builtins.ts (an ESM import of it costs ~13 MiB)',
        },
      ],
    },
  },
  { files: ['src/cli.ts', 'src/cli/**', 'test/**', 'bench/**', 'scripts/**'], rules: { 'no-console': 'off' } },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
