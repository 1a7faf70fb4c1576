// Test factories for catalogs, created through the catalog module's public face (the same
// import the demo seed uses), so tests never write catalog tables directly.
import { inTransaction } from '../platform/db/index.js';
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
