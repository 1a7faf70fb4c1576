// Test fixtures for the storefront: catalog rows written with plain SQL (until the management
// API lands), plus a big generated menu for the query-count and EXPLAIN tests.
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../../platform/db/index.js';
import type { AvailabilityWindow } from './availability.js';

export type Target = { item: string } | { variant: string } | { option: string };

export function catalogFixture(db: Db, organizationId: string) {
  const org = organizationId;
  let position = 0;
  const next = () => position++;
  return {
    async taxCategory(code: string): Promise<string> {
      const id = uuidv7();
      await sql`INSERT INTO tax_categories (id, organization_id, code, name) VALUES (${id}, ${org}, ${code}, ${code})`.execute(
        db,
      );
      return id;
    },
    async category(name: string): Promise<string> {
      const id = uuidv7();
      await sql`INSERT INTO categories (id, ref, organization_id, name, position) VALUES (${id}, ${id}, ${org}, ${name}, ${next()})`.execute(
        db,
      );
      return id;
    },
    async item(
      categoryId: string,
      name: string,
      price: number,
      extra: { taxCategoryId?: string; tags?: string[] } = {},
    ): Promise<string> {
      const id = uuidv7();
      await sql`INSERT INTO items (id, ref, organization_id, category_id, name, price, tax_category_id, tags, position)
        VALUES (${id}, ${id}, ${org}, ${categoryId}, ${name}, ${price}, ${extra.taxCategoryId ?? null}, ${extra.tags ?? []}, ${next()})`.execute(
        db,
      );
      return id;
    },
    async variant(itemId: string, name: string, price: number): Promise<string> {
      const id = uuidv7();
      await sql`INSERT INTO item_variants (id, ref, organization_id, item_id, name, price, position) VALUES (${id}, ${id}, ${org}, ${itemId}, ${name}, ${price}, ${next()})`.execute(
        db,
      );
      return id;
    },
    async group(name: string, select: { min?: number; max?: number; free?: number } = {}): Promise<string> {
      const id = uuidv7();
      await sql`INSERT INTO modifier_groups (id, ref, organization_id, name, min_select, max_select, free_quantity)
        VALUES (${id}, ${id}, ${org}, ${name}, ${select.min ?? 0}, ${select.max ?? 1}, ${select.free ?? 0})`.execute(
        db,
      );
      return id;
    },
    async option(
      groupId: string,
      name: string,
      price: number,
      extra: { available?: boolean; childGroupId?: string } = {},
    ): Promise<string> {
      const id = uuidv7();
      await sql`INSERT INTO modifier_options (id, ref, organization_id, group_id, name, price, is_available, child_group_id, position)
        VALUES (${id}, ${id}, ${org}, ${groupId}, ${name}, ${price}, ${extra.available ?? true}, ${extra.childGroupId ?? null}, ${next()})`.execute(
        db,
      );
      return id;
    },
    async attach(itemId: string, groupId: string): Promise<void> {
      await sql`INSERT INTO item_modifier_groups (item_id, group_id, organization_id, position) VALUES (${itemId}, ${groupId}, ${org}, ${next()})`.execute(
        db,
      );
    },
    async menu(name: string, categoryIds: string[], windows: AvailabilityWindow[] = []): Promise<string> {
      const id = uuidv7();
      await sql`INSERT INTO menus (id, ref, organization_id, name) VALUES (${id}, ${id}, ${org}, ${name})`.execute(db);
      for (const categoryId of categoryIds) {
        await sql`INSERT INTO menu_categories (menu_id, category_id, organization_id, position) VALUES (${id}, ${categoryId}, ${org}, ${next()})`.execute(
          db,
        );
      }
      for (const window of windows) {
        await sql`INSERT INTO menu_availability (menu_id, weekday, starts_at, ends_at) VALUES (${id}, ${window.weekday}, ${window.starts_at}, ${window.ends_at})`.execute(
          db,
        );
      }
      return id;
    },
    async publish(storeId: string, menuId: string): Promise<void> {
      await sql`INSERT INTO store_menus (store_id, menu_id, organization_id, position) VALUES (${storeId}, ${menuId}, ${org}, ${next()})`.execute(
        db,
      );
    },
    async override(storeId: string, target: Target, price: number, channel: string | null = null): Promise<void> {
      const item = 'item' in target ? target.item : null;
      const variant = 'variant' in target ? target.variant : null;
      const option = 'option' in target ? target.option : null;
      await sql`INSERT INTO price_overrides (id, organization_id, store_id, item_id, variant_id, option_id, channel, price)
        VALUES (${uuidv7()}, ${org}, ${storeId}, ${item}, ${variant}, ${option}, ${channel}, ${price})`.execute(db);
    },
    async eightySix(storeId: string, target: { item: string } | { option: string }, until: Date | null): Promise<void> {
      const item = 'item' in target ? target.item : null;
      const option = 'option' in target ? target.option : null;
      await sql`INSERT INTO eighty_sixes (id, organization_id, store_id, item_id, option_id, until)
        VALUES (${uuidv7()}, ${org}, ${storeId}, ${item}, ${option}, ${until})`.execute(db);
    },
    async tax(storeId: string, pricesIncludeTax: boolean, rates: Record<string, number>): Promise<void> {
      await sql`INSERT INTO store_tax_settings (store_id, organization_id, prices_include_tax) VALUES (${storeId}, ${org}, ${pricesIncludeTax})`.execute(
        db,
      );
      for (const [taxCategoryId, rate] of Object.entries(rates)) {
        await sql`INSERT INTO store_tax_rates (store_id, tax_category_id, organization_id, rate_bps) VALUES (${storeId}, ${taxCategoryId}, ${org}, ${rate})`.execute(
          db,
        );
      }
    },
    /** What a catalog write does besides its rows: bump the brand's catalog version. */
    async bumpVersion(): Promise<void> {
      await sql`INSERT INTO catalog_versions (organization_id) VALUES (${org})
        ON CONFLICT (organization_id) DO UPDATE SET version = catalog_versions.version + 1, updated_at = now()`.execute(
        db,
      );
    },
  };
}

export type CatalogFixture = ReturnType<typeof catalogFixture>;

/**
 * A generated always-on menu of `items` items in 10 categories; every item has 2 variants and
 * its share of `groups` modifier groups (4 options each, the first group's options each open a
 * nested group). Bulk SQL, so a 200-item menu is set up in a few statements.
 */
export async function generatedMenu(
  db: Db,
  organizationId: string,
  storeId: string,
  size: { items: number; groups: number },
): Promise<{ menuId: string }> {
  const org = organizationId;
  const menuId = uuidv7();
  await sql`INSERT INTO menus (id, ref, organization_id, name) VALUES (${menuId}, ${menuId}, ${org}, ${'Generated ' + size.items})`.execute(
    db,
  );
  await sql`INSERT INTO store_menus (store_id, menu_id, organization_id) VALUES (${storeId}, ${menuId}, ${org})`.execute(
    db,
  );
  const categoryIds = Array.from({ length: 10 }, () => uuidv7());
  const itemIds = Array.from({ length: size.items }, () => uuidv7());
  const groupIds = Array.from({ length: size.groups }, () => uuidv7());
  const childGroupId = uuidv7();
  await sql`INSERT INTO categories (id, ref, organization_id, name, position)
    SELECT c.id, c.id::text, ${org}, 'Category ' || c.n, c.n FROM unnest(${categoryIds}::uuid[]) WITH ORDINALITY AS c(id, n)`.execute(
    db,
  );
  await sql`INSERT INTO menu_categories (menu_id, category_id, organization_id, position)
    SELECT ${menuId}, c.id, ${org}, c.n FROM unnest(${categoryIds}::uuid[]) WITH ORDINALITY AS c(id, n)`.execute(db);
  await sql`INSERT INTO items (id, ref, organization_id, category_id, name, price, position)
    SELECT i.id, i.id::text, ${org}, (${categoryIds}::uuid[])[1 + (i.n % 10)], 'Item ' || i.n, 500 + i.n, i.n
    FROM unnest(${itemIds}::uuid[]) WITH ORDINALITY AS i(id, n)`.execute(db);
  await sql`INSERT INTO item_variants (id, ref, organization_id, item_id, name, price, position)
    SELECT gen_random_uuid(), s.name, ${org}, i.id, s.name, 600 + s.n * 100, s.n
    FROM unnest(${itemIds}::uuid[]) AS i(id), (VALUES (1, 'Small'), (2, 'Large')) AS s(n, name)`.execute(db);
  await sql`INSERT INTO modifier_groups (id, ref, organization_id, name, min_select, max_select)
    SELECT g.id, g.id::text, ${org}, 'Group ' || g.n, 0, 2 FROM unnest(${[...groupIds, childGroupId]}::uuid[]) WITH ORDINALITY AS g(id, n)`.execute(
    db,
  );
  await sql`INSERT INTO modifier_options (id, ref, organization_id, group_id, name, price, position, child_group_id)
    SELECT gen_random_uuid(), 'o' || o.n, ${org}, g.id, 'Option ' || o.n, o.n * 50, o.n, CASE WHEN g.n = 1 THEN ${childGroupId}::uuid END
    FROM unnest(${groupIds}::uuid[]) WITH ORDINALITY AS g(id, n), generate_series(1, 4) AS o(n)`.execute(db);
  await sql`INSERT INTO modifier_options (id, ref, organization_id, group_id, name, price, position)
    SELECT gen_random_uuid(), 'd' || o.n, ${org}, ${childGroupId}, 'Drink ' || o.n, 0, o.n FROM generate_series(1, 3) AS o(n)`.execute(
    db,
  );
  // Item n gets groups n mod G and (n + 1) mod G.
  await sql`INSERT INTO item_modifier_groups (item_id, group_id, organization_id, position)
    SELECT i.id, (${groupIds}::uuid[])[1 + ((i.n + k) % ${size.groups}::int)], ${org}, k
    FROM unnest(${itemIds}::uuid[]) WITH ORDINALITY AS i(id, n), generate_series(0, LEAST(1, ${size.groups}::int - 1)) AS k
    ON CONFLICT DO NOTHING`.execute(db);
  return { menuId };
}
