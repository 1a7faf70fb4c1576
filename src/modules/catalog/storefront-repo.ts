// The SQL behind a resolved menu: a constant number of index-backed queries (one per table kind,
// whatever the menu's size), all keyed by the store, its brand, or ids found before. Rows only:
// what they mean at a moment is decided in storefront-resolve.ts.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/index.js';
import type { AvailabilityWindow } from './availability.js';
import type { PriceChannel } from './resolved-menu.js';

export interface MenuRow {
  id: string;
  name: string;
  windows: AvailabilityWindow[];
}
export interface CategoryRow {
  menu_id: string;
  id: string;
  name: string;
  description: string | null;
}
export interface ItemRow {
  id: string;
  category_id: string;
  name: string;
  description: string | null;
  image_url: string | null;
  tags: string[];
  allergens: string[];
  sku: string | null;
  price: number;
  tax_category_id: string | null;
  tax_code: string | null;
}
export interface VariantRow {
  id: string;
  item_id: string;
  name: string;
  sku: string | null;
  price: number;
}
export interface ItemGroupRow {
  item_id: string;
  group_id: string;
}
export interface OptionRow {
  id: string;
  group_id: string;
  name: string;
  price: number;
  max_quantity: number;
  is_available: boolean;
  child_group_id: string | null;
}
export interface GroupRow {
  id: string;
  name: string;
  min_select: number;
  max_select: number;
  free_quantity: number;
}
export interface OverrideRow {
  item_id: string | null;
  variant_id: string | null;
  option_id: string | null;
  channel: string | null;
  price: number;
}
export interface EightySixRow {
  item_id: string | null;
  option_id: string | null;
  until: Date | null;
}
export interface StoreFactsRow {
  prices_include_tax: boolean | null;
  rates: Record<string, number>;
  catalog_version: number | null;
}

/** The SQL of a build, in order. */
export const queries = {
  menus: (storeId: string, organizationId: string) => sql<MenuRow>`
    SELECT m.id, m.name,
      COALESCE((SELECT json_agg(json_build_object('weekday', a.weekday, 'starts_at', a.starts_at, 'ends_at', a.ends_at))
                FROM menu_availability a WHERE a.menu_id = m.id), '[]'::json) AS windows
    FROM store_menus sm JOIN menus m ON m.id = sm.menu_id
    WHERE sm.store_id = ${storeId} AND sm.organization_id = ${organizationId}
    ORDER BY sm.position, m.id`,
  categories: (menuIds: string[]) => sql<CategoryRow>`
    SELECT mc.menu_id, c.id, c.name, c.description
    FROM menu_categories mc JOIN categories c ON c.id = mc.category_id
    WHERE mc.menu_id = ANY(${menuIds}::uuid[])
    ORDER BY mc.position, c.position, c.id`,
  items: (organizationId: string, categoryIds: string[]) => sql<ItemRow>`
    SELECT i.id, i.category_id, i.name, i.description, i.image_url, i.tags, i.allergens, i.sku, i.price,
      i.tax_category_id, tc.code AS tax_code
    FROM items i LEFT JOIN tax_categories tc ON tc.id = i.tax_category_id
    WHERE i.organization_id = ${organizationId} AND i.category_id = ANY(${categoryIds}::uuid[])
    ORDER BY i.position, i.id`,
  variants: (itemIds: string[]) => sql<VariantRow>`
    SELECT v.id, v.item_id, v.name, v.sku, v.price FROM item_variants v
    WHERE v.item_id = ANY(${itemIds}::uuid[])
    ORDER BY v.item_id, v.position, v.id`,
  itemGroups: (itemIds: string[]) => sql<ItemGroupRow>`
    SELECT img.item_id, img.group_id FROM item_modifier_groups img
    WHERE img.item_id = ANY(${itemIds}::uuid[])
    ORDER BY img.item_id, img.position, img.group_id`,
  /** Options of the items' groups and of the groups those options open (one level). */
  options: (groupIds: string[]) => sql<OptionRow>`
    SELECT o.id, o.group_id, o.name, o.price, o.max_quantity, o.is_available, o.child_group_id
    FROM modifier_options o
    WHERE o.group_id = ANY(${groupIds}::uuid[])
       OR o.group_id = ANY(ARRAY(
            SELECT c.child_group_id FROM modifier_options c
            WHERE c.group_id = ANY(${groupIds}::uuid[]) AND c.child_group_id IS NOT NULL))
    ORDER BY o.group_id, o.position, o.id`,
  groups: (groupIds: string[]) => sql<GroupRow>`
    SELECT g.id, g.name, g.min_select, g.max_select, g.free_quantity FROM modifier_groups g
    WHERE g.id = ANY(${groupIds}::uuid[])`,
  /** A null channel matches only every-channel overrides (`channel = NULL` is never true). */
  overrides: (storeId: string, channel: PriceChannel) => sql<OverrideRow>`
    SELECT p.item_id, p.variant_id, p.option_id, p.channel, p.price FROM price_overrides p
    WHERE p.store_id = ${storeId} AND (p.channel IS NULL OR p.channel = ${channel})`,
  eightySixes: (storeId: string) => sql<EightySixRow>`
    SELECT e.item_id, e.option_id, e.until FROM eighty_sixes e WHERE e.store_id = ${storeId}`,
  storeFacts: (storeId: string, organizationId: string) => sql<StoreFactsRow>`
    SELECT
      (SELECT s.prices_include_tax FROM store_tax_settings s WHERE s.store_id = ${storeId}) AS prices_include_tax,
      COALESCE((SELECT json_object_agg(r.tax_category_id, r.rate_bps) FROM store_tax_rates r WHERE r.store_id = ${storeId}), '{}'::json) AS rates,
      (SELECT cv.version FROM catalog_versions cv WHERE cv.organization_id = ${organizationId}) AS catalog_version`,
};

/** What the store publishes and sets: its menus (with hours), taxes, prices for the channel, 86s. */
export interface StoreMenuRows {
  menus: MenuRow[];
  facts: StoreFactsRow;
  overrides: OverrideRow[];
  eightySixes: EightySixRow[];
}

export async function loadStoreMenuRows(
  trx: Tx,
  store: { id: string; organization_id: string },
  channel: PriceChannel,
): Promise<StoreMenuRows> {
  return {
    menus: (await queries.menus(store.id, store.organization_id).execute(trx)).rows,
    facts: (await queries.storeFacts(store.id, store.organization_id).execute(trx)).rows[0]!,
    overrides: (await queries.overrides(store.id, channel).execute(trx)).rows,
    eightySixes: (await queries.eightySixes(store.id).execute(trx)).rows,
  };
}

/** The contents of some menus: categories, items (minus the excluded), sizes, groups, options. */
export interface MenuContentRows {
  categories: CategoryRow[];
  items: ItemRow[];
  variants: VariantRow[];
  itemGroups: ItemGroupRow[];
  options: OptionRow[];
  groups: GroupRow[];
}

export async function loadMenuContentRows(
  trx: Tx,
  organizationId: string,
  menuIds: string[],
  excludedItems: ReadonlySet<string>,
): Promise<MenuContentRows> {
  const categories = (await queries.categories(menuIds).execute(trx)).rows;
  const categoryIds = [...new Set(categories.map((category) => category.id))];
  const items = (await queries.items(organizationId, categoryIds).execute(trx)).rows.filter(
    (item) => !excludedItems.has(item.id),
  );
  const itemIds = items.map((item) => item.id);
  const variants = (await queries.variants(itemIds).execute(trx)).rows;
  const itemGroups = (await queries.itemGroups(itemIds).execute(trx)).rows;
  const topGroupIds = [...new Set(itemGroups.map((row) => row.group_id))];
  const options = (await queries.options(topGroupIds).execute(trx)).rows;
  const allGroupIds = [...new Set([...topGroupIds, ...options.map((option) => option.group_id)])];
  const groups = (await queries.groups(allGroupIds).execute(trx)).rows;
  return { categories, items, variants, itemGroups, options, groups };
}
