// Test factories for catalogs, created through the catalog module's public face (the same
// import the demo seed uses). Only catalogRows, for the menu resolver's own tests, writes rows
// (catalog's tables, for shapes the API refuses on purpose); nothing here writes another module's.
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { inTransaction, type Db } from '../platform/db/index.js';
import type { TestApp } from './harness.js';
import type { NewStore } from '../modules/tenancy/index.js';
import { organizationWithStore } from './tenancy-factories.js';

/** The whole-catalog import/export document (PUT/GET /v1/organizations/{id}/catalog). */
export type CatalogDocument = Parameters<TestApp['modules']['catalog']['api']['importCatalog']>[2];

/**
 * A small pizzeria catalog: two categories (pizza with sizes and modifiers, drinks), a required
 * "base" group (exactly 1), "toppings" (0–3, one free), a combo drink choice nested one level
 * under "combo", and two menus (all day; a late-night menu 22:00–03:00 with pizza only).
 */
export function smallCatalogDocument(overrides: Partial<CatalogDocument> = {}): CatalogDocument {
  return {
    tax_categories: [
      { code: 'food', name: 'Food' },
      { code: 'drinks', name: 'Drinks' },
    ],
    modifier_groups: [
      {
        ref: 'base',
        name: 'Choose a base',
        min_select: 1,
        max_select: 1,
        options: [
          { ref: 'tomato', name: 'Tomato', price: 0 },
          { ref: 'white', name: 'White (cream)', price: 50 },
        ],
      },
      {
        ref: 'toppings',
        name: 'Extra toppings',
        min_select: 0,
        max_select: 3,
        free_quantity: 1,
        options: [
          { ref: 'mushrooms', name: 'Mushrooms', price: 100 },
          { ref: 'olives', name: 'Olives', price: 100, max_quantity: 2 },
        ],
      },
      {
        ref: 'combo-drink',
        name: 'Combo drink',
        min_select: 1,
        max_select: 1,
        options: [
          { ref: 'cola', name: 'Cola', price: 0 },
          { ref: 'water', name: 'Water', price: 0 },
        ],
      },
      {
        ref: 'combo',
        name: 'Make it a combo',
        min_select: 0,
        max_select: 1,
        options: [{ ref: 'combo-yes', name: 'Add a drink', price: 250, child_group: 'combo-drink' }],
      },
    ],
    categories: [
      {
        ref: 'pizza',
        name: 'Pizza',
        items: [
          {
            ref: 'margherita',
            name: 'Margherita',
            description: 'Tomato, mozzarella, basil',
            tags: ['vegetarian'],
            allergens: ['gluten', 'milk'],
            sku: 'PZ-MARG',
            tax_category: 'food',
            price: 900,
            variants: [
              { ref: 'small', name: 'Small', price: 900 },
              { ref: 'large', name: 'Large', price: 1300 },
            ],
            modifier_groups: ['base', 'toppings', 'combo'],
          },
          {
            ref: 'diavola',
            name: 'Diavola',
            tags: ['spicy'],
            allergens: ['gluten', 'milk'],
            tax_category: 'food',
            price: 1100,
            modifier_groups: ['base', 'toppings'],
          },
        ],
      },
      {
        ref: 'drinks',
        name: 'Drinks',
        items: [{ ref: 'lemonade', name: 'Lemonade', tags: ['vegan'], tax_category: 'drinks', price: 350 }],
      },
    ],
    menus: [
      { ref: 'all-day', name: 'All day', categories: ['pizza', 'drinks'] },
      {
        ref: 'late-night',
        name: 'Late night',
        availability: [5, 6].map((weekday) => ({ weekday, starts_at: '22:00', ends_at: '03:00' })),
        categories: ['pizza'],
      },
    ],
    ...overrides,
  };
}

export type CatalogIds = Awaited<ReturnType<TestApp['modules']['catalog']['api']['idsByRef']>>;

/** Imports the document into the organization; returns the ids by ref. */
export async function importCatalog(
  t: TestApp,
  organizationId: string,
  document: CatalogDocument = smallCatalogDocument(),
): Promise<CatalogIds> {
  await inTransaction(t.db.database.db, (trx) => t.modules.catalog.api.importCatalog(trx, organizationId, document));
  return t.modules.catalog.api.idsByRef(organizationId);
}

/**
 * An organization (with owner), a store, the small catalog, and the store publishing both menus
 * with 19% food / 7% drinks tax (prices include tax) and a delivery price for the Margherita.
 * `store` overrides the store's defaults (opening hours, time zone…).
 */
export async function storeWithMenu(t: TestApp, store: Partial<Omit<NewStore, 'organizationId'>> = {}) {
  const base = await organizationWithStore(t, store);
  const organizationId = base.organization.id;
  const storeId = base.store.id;
  const ids = await importCatalog(t, organizationId);
  await inTransaction(t.db.database.db, async (trx) => {
    await t.modules.catalog.api.publishMenus(trx, {
      organizationId,
      storeId,
      menuIds: [ids.menus['all-day']!, ids.menus['late-night']!],
    });
    await t.modules.catalog.api.setStoreCatalogSettings(trx, {
      organizationId,
      storeId,
      taxSettings: {
        prices_include_tax: true,
        rates: [
          { tax_category_id: ids.tax_categories.food!, rate_bps: 1900 },
          { tax_category_id: ids.tax_categories.drinks!, rate_bps: 700 },
        ],
      },
      priceOverrides: [
        { item_id: ids.items.margherita!, variant_id: null, option_id: null, channel: 'delivery', price: 1050 },
      ],
    });
  });
  return { ...base, ids };
}

/** Publishes menus (by ref, in order) at a store and sets its price overrides, through catalog's API. */
export async function sellAt(
  t: TestApp,
  place: { organizationId: string; storeId: string; ids: CatalogIds },
  menuRefs: string[],
  priceOverrides: PriceOverride[] = [],
): Promise<void> {
  await inTransaction(t.db.database.db, async (trx) => {
    const { organizationId, storeId } = place;
    await t.modules.catalog.api.publishMenus(trx, {
      organizationId,
      storeId,
      menuIds: menuRefs.map((ref) => place.ids.menus[ref]!),
    });
    if (priceOverrides.length > 0)
      await t.modules.catalog.api.setStoreCatalogSettings(trx, { organizationId, storeId, priceOverrides });
  });
}

export type Target = { item: string } | { variant: string } | { option: string };
type PriceOverride = NonNullable<
  Parameters<TestApp['modules']['catalog']['api']['setStoreCatalogSettings']>[1]['priceOverrides']
>[number];

/** An override of one item's, size's or option's price at a store (every channel unless one is given). */
export function priceOverride(target: Target, price: number, channel: PriceOverride['channel'] = null): PriceOverride {
  return {
    item_id: 'item' in target ? target.item : null,
    variant_id: 'variant' in target ? target.variant : null,
    option_id: 'option' in target ? target.option : null,
    channel,
    price,
  };
}

// --- rows --------------------------------------------------------------------------------------
// The menu resolver's own tests also need what the API refuses on purpose: an 86 that has already
// ended, a write the menu cache was not told about, menus of thousands of rows set up in a few
// statements. These write catalog's tables directly (catalog's tables only, never another
// module's), `ref` = id as the API defaults it.

/** A menu's serving window: ISO weekday, store-local "HH:MM" start and end (end <= start: past midnight). */
export interface MenuWindow {
  weekday: number;
  starts_at: string;
  ends_at: string;
}

export function catalogRows(db: Db, organizationId: string) {
  const org = organizationId;
  let position = 0;
  const next = () => position++;
  /** Every catalog table but menu_availability carries the brand. */
  const insert = async (table: string, values: Record<string, unknown>) => {
    const row = table === 'menu_availability' ? values : { organization_id: org, ...values };
    const columns = sql.join(Object.keys(row).map((column) => sql.ref(column)));
    await sql`INSERT INTO ${sql.table(table)} (${columns}) VALUES (${sql.join(Object.values(row))})`.execute(db);
  };
  /** A new row with an id (ref = id, when the table has refs): its id. */
  const create = async (table: string, row: Record<string, unknown>, ref = true) => {
    const id = uuidv7();
    await insert(table, { id, ...(ref ? { ref: id } : {}), ...row });
    return id;
  };
  const sole = (target: { item: string } | { option: string }) => ({
    item_id: 'item' in target ? target.item : null,
    option_id: 'option' in target ? target.option : null,
  });
  return {
    taxCategory: (code: string) => create('tax_categories', { code, name: code }, false),
    category: (name: string) => create('categories', { name, position: next() }),
    item: (categoryId: string, name: string, price: number, extra: ItemExtras = {}) =>
      create('items', {
        category_id: categoryId,
        name,
        price,
        tax_category_id: extra.taxCategoryId ?? null,
        tags: extra.tags ?? [],
        description: extra.description ?? null,
        position: next(),
      }),
    variant: (itemId: string, name: string, price: number) =>
      create('item_variants', { item_id: itemId, name, price, position: next() }),
    group: (name: string, select: { min?: number; max?: number; free?: number } = {}) =>
      create('modifier_groups', {
        name,
        min_select: select.min ?? 0,
        max_select: select.max ?? 1,
        free_quantity: select.free ?? 0,
      }),
    option: (groupId: string, name: string, price: number, extra: OptionExtras = {}) =>
      create('modifier_options', {
        group_id: groupId,
        name,
        price,
        is_available: extra.available ?? true,
        child_group_id: extra.childGroupId ?? null,
        position: next(),
      }),
    attach: (itemId: string, groupId: string) =>
      insert('item_modifier_groups', { item_id: itemId, group_id: groupId, position: next() }),
    async menu(name: string, categoryIds: string[], windows: MenuWindow[] = []): Promise<string> {
      const id = await create('menus', { name });
      for (const categoryId of categoryIds)
        await insert('menu_categories', { menu_id: id, category_id: categoryId, position: next() });
      for (const window of windows) await insert('menu_availability', { menu_id: id, ...window });
      return id;
    },
    publish: (storeId: string, menuId: string) =>
      insert('store_menus', { store_id: storeId, menu_id: menuId, position: next() }),
    override: (storeId: string, target: Target, price: number, channel: string | null = null) =>
      create('price_overrides', { store_id: storeId, ...priceOverride(target, price), channel }, false),
    eightySix: (storeId: string, target: { item: string } | { option: string }, until: Date | null) =>
      create('eighty_sixes', { store_id: storeId, ...sole(target), until }, false),
    async tax(storeId: string, pricesIncludeTax: boolean, rates: Record<string, number>): Promise<void> {
      await insert('store_tax_settings', { store_id: storeId, prices_include_tax: pricesIncludeTax });
      for (const [taxCategoryId, rate] of Object.entries(rates))
        await insert('store_tax_rates', { store_id: storeId, tax_category_id: taxCategoryId, rate_bps: rate });
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

interface ItemExtras {
  taxCategoryId?: string;
  tags?: string[];
  description?: string;
}
interface OptionExtras {
  available?: boolean;
  childGroupId?: string;
}

export type CatalogRows = ReturnType<typeof catalogRows>;

/**
 * A generated always-on menu of `items` items in 10 categories, imported and published at the
 * store: every item has 2 sizes and its share of `groups` modifier groups (4 options each; the
 * first group's options each open a nested drinks group).
 */
export async function generatedMenu(
  t: TestApp,
  place: { organizationId: string; storeId: string },
  size: { items: number; groups: number },
): Promise<void> {
  const range = (count: number) => Array.from({ length: count }, (_, n) => n);
  const groupRef = (n: number) => `group-${n % size.groups}`;
  const document: CatalogDocument = {
    tax_categories: [],
    modifier_groups: [
      ...range(size.groups).map((g) => ({
        ref: groupRef(g),
        name: `Group ${g}`,
        max_select: 2,
        options: range(4).map((o) => ({
          ref: `o${o}`,
          name: `Option ${o}`,
          price: (o + 1) * 50,
          child_group: g === 0 ? 'drinks' : null,
        })),
      })),
      { ref: 'drinks', name: 'Drinks', options: range(3).map((d) => ({ ref: `d${d}`, name: `Drink ${d}`, price: 0 })) },
    ],
    categories: range(10).map((c) => ({
      ref: `category-${c}`,
      name: `Category ${c}`,
      items: range(size.items)
        .filter((n) => n % 10 === c)
        .map((n) => ({
          ref: `item-${n}`,
          name: `Item ${n}`,
          price: 500 + n,
          variants: ['Small', 'Large'].map((name, s) => ({ ref: name.toLowerCase(), name, price: 700 + s * 100 })),
          modifier_groups: [...new Set([groupRef(n), groupRef(n + 1)])],
        })),
    })),
    menus: [{ ref: 'generated', name: `Generated ${size.items}`, categories: range(10).map((c) => `category-${c}`) }],
  };
  const ids = await importCatalog(t, place.organizationId, document);
  await sellAt(t, { ...place, ids }, ['generated']);
}
