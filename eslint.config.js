// Lint: typescript-eslint's recommended rules, the module boundary rules from ARCHITECTURE.md
// (eslint/boundaries.js: imports through index.ts, tables only through their owner) and no
// import cycles anywhere in src/.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { boundaries } from './eslint/boundaries.js';

// import-x's TypeScript settings (parsers, extensions), with its legacy resolver swapped for the
// TypeScript one, which maps our `./x.js` specifiers to `./x.ts`.
const { 'import-x/resolver': _legacyResolver, ...typescriptImportSettings } = importX.flatConfigs.typescript.settings;

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.brigade/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { brigade: { rules: { boundaries } } },
    rules: {
      'brigade/boundaries': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { ...typescriptImportSettings, 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: { 'import-x/no-cycle': 'error' },
  },
  {
    // Raw row writers some modules lend their test factories: only src/test-support may take them.
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['src/test-support/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/index\\.js$',
              importNamePattern: 'ForTestSupport$',
              message: 'For src/test-support only; modules and tests use the module api.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only' },
        { object: 'describe', property: 'only' },
        { object: 'it', property: 'skip' },
        { object: 'describe', property: 'skip' },
      ],
    },
  },
  {
    files: ['bin/**', 'eslint.config.js', 'eslint/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
