// The module boundary rules from ARCHITECTURE.md: a module imports another module only through
// its index.ts, platform code never imports a module, and no code reads or writes a table that
// another module owns (eslint/table-owners.js) — not in SQL, not through Kysely.
import path from 'node:path';
import { tableOwners } from './table-owners.js';

const SRC = path.resolve('src');
const OWNERS = tableOwners(path.resolve('migrations'));
/** SQL naming a table (keywords in capitals, as the house writes SQL, so prose "from menus" is not SQL). */
const SQL_TABLE = /\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(?:ONLY\s+)?"?([a-z_][a-z0-9_]*)"?/g;
/** Kysely methods whose first argument names a table ('stores' or 'stores as s'). */
const KYSELY_TABLE_METHODS = new Set([
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'mergeInto',
  'innerJoin',
  'leftJoin',
  'rightJoin',
  'fullJoin',
  'crossJoin',
]);

function where(file) {
  const relative = path.relative(SRC, file).split(path.sep);
  if (relative[0] === 'modules' && relative.length > 1)
    return { area: 'module', name: relative[1], rest: relative.slice(2).join('/') };
  if (relative[0] === 'platform') return { area: 'platform', name: 'platform' };
  return { area: 'other' };
}

export const boundaries = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      deep: 'Import module "{{name}}" through its index.ts, not {{rest}}.',
      platform: 'Platform code must not import a module ("{{name}}"); pass what it needs in from app.ts.',
      table: 'Table "{{table}}" belongs to {{owner}}; ask {{owner}} through its index.ts instead.',
    },
  },
  create(context) {
    const self = where(context.filename);
    const isTest = context.filename.endsWith('.test.ts');
    const checkTable = (node, table) => {
      const owner = OWNERS.get(table);
      // Only code inside a module or the platform is held to ownership; tests may look anywhere.
      if (owner === undefined || isTest || (self.area !== 'module' && self.area !== 'platform')) return;
      if (owner !== self.name) context.report({ node, messageId: 'table', data: { table, owner } });
    };
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
      TemplateLiteral(node) {
        for (const quasi of node.quasis) {
          for (const match of quasi.value.cooked?.matchAll(SQL_TABLE) ?? []) checkTable(quasi, match[1]);
        }
      },
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return;
        if (!KYSELY_TABLE_METHODS.has(callee.property.name)) return;
        const first = node.arguments[0];
        if (first?.type === 'Literal' && typeof first.value === 'string') {
          checkTable(first, first.value.trim().split(/\s+/)[0]);
        }
      },
    };
  },
};
