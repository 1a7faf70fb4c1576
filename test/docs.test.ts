import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('when a newcomer opens it, then the two commands come first', () => {
    const firstBlock = readme.split('```')[1] ?? '';
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm test');
  });

  it('when a variable is added to the config, then the README table lists it with its default', () => {
    const table = readme.split('<!-- config-table:start -->')[1]?.split('<!-- config-table:end -->')[0] ?? '';
    for (const variable of CONFIG_VARIABLES) {
      const row = table.split('\n').find((line) => line.startsWith(`| \`${variable.name}\` |`));
      expect(row, `README is missing ${variable.name}: run npm run config:table`).toBeDefined();
      expect(row).toContain(variable.default);
    }
  });
});
