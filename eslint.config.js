// Lint: typescript-eslint's recommended rules plus the module boundary rules from
// ARCHITECTURE.md: a module imports another module only through its index.ts, and platform
// code never imports a module.
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SRC = path.resolve('src');

function where(file) {
  const relative = path.relative(SRC, file).split(path.sep);
  if (relative[0] === 'modules' && relative.length > 1)
    return { area: 'module', name: relative[1], rest: relative.slice(2).join('/') };
  if (relative[0] === 'platform') return { area: 'platform' };
  return { area: 'other' };
}

const boundaries = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      deep: 'Import module "{{name}}" through its index.ts, not {{rest}}.',
      platform: 'Platform code must not import a module ("{{name}}"); pass what it needs in from app.ts.',
    },
  },
  create(context) {
    const self = where(context.filename);
    return {
      ImportDeclaration(node) {
        const source = node.source.value;
        if (typeof source !== 'string' || !source.startsWith('.')) return;
        const target = where(path.resolve(path.dirname(context.filename), source));
        if (target.area !== 'module') return;
        if (self.area === 'platform') {
          context.report({ node, messageId: 'platform', data: { name: target.name } });
          return;
        }
        const sameModule = self.area === 'module' && self.name === target.name;
        if (!sameModule && target.rest !== 'index.js' && target.rest !== 'index.ts') {
          context.report({ node, messageId: 'deep', data: { name: target.name, rest: target.rest } });
        }
      },
    };
  },
};

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
    files: ['bin/**', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
