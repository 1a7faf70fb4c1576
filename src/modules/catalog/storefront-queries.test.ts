// A cold menu build costs a constant number of SQL queries, each served by an index; a warm read
// costs none.
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformTables } from '../../platform/db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { createOrganization, createStore } from '../../test-support/tenancy-factories.js';
import { catalogRows, generatedMenu } from '../../test-support/catalog-factories.js';
import { createStorefront } from './storefront.js';

let t: TestApp;
let counted: Kysely<PlatformTables>;
const log: CompiledQuery[] = [];
let storefront: ReturnType<typeof createStorefront>;
const at = new Date('2026-06-01T10:00:00Z');

beforeAll(async () => {
  t = await createTestApp();
  // The same pool, through a Kysely that records every query it runs (never destroyed: the pool is the app's).
  counted = new Kysely<PlatformTables>({
    dialect: new PostgresDialect({ pool: t.db.database.pool }),
    log: (event) => {
      if (event.level === 'query') log.push(event.query);
    },
  });
  storefront = createStorefront({
    db: counted,
    tenancy: t.modules.tenancy,
    redis: null,
    logger: pino({ level: 'silent' }),
    clock: () => at,
  });
});
afterAll(async () => {
  await storefront.close();
  await t.close();
});

async function recorded<T>(work: () => Promise<T>): Promise<{ result: T; queries: CompiledQuery[] }> {
  const start = log.length;
  const result = await work();
  return { result, queries: log.slice(start) };
}

async function storeWithMenu(size: { items: number; groups: number }) {
  const org = await createOrganization(t);
  const store = await createStore(t, { organizationId: org.id });
  await generatedMenu(t, { organizationId: org.id, storeId: store.id }, size);
  const f = catalogRows(t.db.database.db, org.id);
  const food = await f.taxCategory('food');
  await f.tax(store.id, true, { [food]: 700 });
  return { org, storeId: store.id };
}

describe('cold builds', () => {
  let big: { storeId: string };
  let small: { storeId: string };
  beforeAll(async () => {
    big = await storeWithMenu({ items: 200, groups: 40 });
    small = await storeWithMenu({ items: 5, groups: 2 });
  });

  it('when a 200-item, 40-group menu and a 5-item menu are built cold, then both take the same small number of queries', async () => {
    const large = await recorded(() => storefront.resolveMenu(big.storeId, 'delivery', at));
    const tiny = await recorded(() => storefront.resolveMenu(small.storeId, 'delivery', at));
    const items = large.result.menu.menus.flatMap((menu) => menu.categories.flatMap((category) => category.items));
    expect(items).toHaveLength(200);
    expect(new Set(items.flatMap((item) => item.modifier_groups.map((group) => group.id))).size).toBe(40);
    expect(
      items.some((item) =>
        item.modifier_groups.some((group) => group.options.some((option) => option.child_group !== null)),
      ),
    ).toBe(true);
    expect(large.queries.length).toBe(tiny.queries.length);
    // BEGIN, the store, 10 catalog queries (one per table kind), COMMIT.
    expect(large.queries.length).toBe(13);
  });

  it('when the menu is read warm, then no query runs at all', async () => {
    const cold = await recorded(() => storefront.snapshotAt(big.storeId, 'pickup', at));
    expect(cold.queries.length).toBeGreaterThan(0);
    const warm = await recorded(async () => {
      for (let i = 0; i < 20; i++)
        await storefront.snapshotAt(big.storeId, 'pickup', new Date(at.getTime() + i * 1000));
    });
    expect(warm.queries).toEqual([]);
  });

  it('when the catalog tables are large, then no query of a build scans a large table sequentially', async () => {
    // Another brand with a big catalog (150k-row variant, item-group and option tables), many
    // overrides and 86s at its store, many menus with hours: large enough that a planner would
    // rather use an index than scan, as it would in production.
    const noise = await createOrganization(t);
    const noiseStore = await createStore(t, { organizationId: noise.id });
    await generatedMenu(t, { organizationId: noise.id, storeId: noiseStore.id }, { items: 2500, groups: 200 });
    const db = t.db.database.db;
    await sql`INSERT INTO item_variants (id, ref, organization_id, item_id, name, price, position)
      SELECT gen_random_uuid(), 'x' || n, ${noise.id}, i.id, 'Extra', 100, n FROM items i, generate_series(1, 60) AS n WHERE i.organization_id = ${noise.id}`.execute(
      db,
    );
    await sql`INSERT INTO item_modifier_groups (item_id, group_id, organization_id, position)
      SELECT i.id, g.id, ${noise.id}, 0 FROM items i, (SELECT id FROM modifier_groups WHERE organization_id = ${noise.id} LIMIT 60) g
      WHERE i.organization_id = ${noise.id} ON CONFLICT DO NOTHING`.execute(db);
    await sql`INSERT INTO modifier_options (id, ref, organization_id, group_id, name, price, position)
      SELECT gen_random_uuid(), 'x' || n, ${noise.id}, g.id, 'Extra', 10, n FROM modifier_groups g, generate_series(1, 750) AS n WHERE g.organization_id = ${noise.id}`.execute(
      db,
    );
    await sql`INSERT INTO price_overrides (id, organization_id, store_id, item_id, channel, price)
      SELECT gen_random_uuid(), ${noise.id}, ${noiseStore.id}, i.id, c.channel, 100
      FROM items i, (VALUES ('delivery'), ('pickup')) AS c(channel) WHERE i.organization_id = ${noise.id}`.execute(db);
    await sql`INSERT INTO eighty_sixes (id, organization_id, store_id, item_id, until)
      SELECT gen_random_uuid(), ${noise.id}, ${noiseStore.id}, i.id, now() + interval '1 hour' FROM items i WHERE i.organization_id = ${noise.id}`.execute(
      db,
    );
    await sql`INSERT INTO menus (id, ref, organization_id, name) SELECT gen_random_uuid(), 'm' || n, ${noise.id}, 'Menu ' || n FROM generate_series(1, 3000) AS n`.execute(
      db,
    );
    await sql`INSERT INTO store_menus (store_id, menu_id, organization_id) SELECT ${noiseStore.id}, m.id, ${noise.id} FROM menus m WHERE m.organization_id = ${noise.id} ON CONFLICT DO NOTHING`.execute(
      db,
    );
    await sql`INSERT INTO menu_availability (menu_id, weekday, starts_at, ends_at)
      SELECT m.id, d, '08:00', '12:00' FROM menus m, generate_series(1, 7) AS d WHERE m.organization_id = ${noise.id}`.execute(
      db,
    );
    await sql`INSERT INTO menu_categories (menu_id, category_id, organization_id)
      SELECT m.id, c.id, ${noise.id} FROM (SELECT id FROM menus WHERE organization_id = ${noise.id} LIMIT 300) m, (SELECT id FROM categories WHERE organization_id = ${noise.id} LIMIT 10) c
      ON CONFLICT DO NOTHING`.execute(db);
    await sql`ANALYZE`.execute(db);

    const { queries } = await recorded(() => storefront.resolveMenu(big.storeId, 'delivery', at));
    const selects = queries.filter((query) => /^\s*(select|with)\b/i.test(query.sql));
    expect(selects.length).toBeGreaterThanOrEqual(10);
    const sizes = new Map(
      (
        await sql<{
          relname: string;
          reltuples: number;
        }>`SELECT relname, reltuples::float8 AS reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`.execute(
          db,
        )
      ).rows.map((row) => [row.relname, row.reltuples]),
    );
    const problems: string[] = [];
    for (const query of selects) {
      const { rows } = await t.db.database.pool.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
        `EXPLAIN (FORMAT JSON) ${query.sql}`,
        query.parameters as unknown[],
      );
      for (const node of walk(rows[0]!['QUERY PLAN'][0]!.Plan)) {
        if (node['Node Type'] === 'Seq Scan' && (sizes.get(node['Relation Name'] ?? '') ?? 0) > 1000) {
          problems.push(
            `${node['Relation Name']} (${sizes.get(node['Relation Name']!)} rows) in: ${query.sql.replace(/\s+/g, ' ').slice(0, 120)}`,
          );
        }
      }
    }
    // The large tables really are large, so the check means something.
    for (const table of [
      'items',
      'item_variants',
      'modifier_options',
      'item_modifier_groups',
      'price_overrides',
      'eighty_sixes',
      'store_menus',
      'menu_availability',
      'menu_categories',
    ]) {
      expect(sizes.get(table), table).toBeGreaterThan(1000);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function* walk(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* walk(child);
}
