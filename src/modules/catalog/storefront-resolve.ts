// Resolving a store's menu for a channel and a moment: a constant number of index-backed SQL
// queries (one per table kind, whatever the menu's size) in one read-only snapshot, then pure
// assembly in memory. Also says between which instants the result stays the same (menu windows
// opening or closing, 86s expiring), so the cache can serve it for every `at` in that range.
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.js';
import { NotFoundError } from '../../platform/http/errors.js';
import type { TenancyApi } from '../tenancy/index.js';
import { availabilityAt, HORIZON_MS, type AvailabilityWindow } from './availability.js';

export const CHANNELS = ['pickup', 'delivery', 'dine_in'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Money {
  amount: number;
  currency: string;
}

export interface ResolvedOption {
  id: string;
  name: string;
  price: Money;
  max_quantity: number;
  /** Nested modifiers: picking this option opens this group (resolved one level deep). */
  child_group: ResolvedGroup | null;
}

export interface ResolvedGroup {
  id: string;
  name: string;
  min_select: number;
  max_select: number;
  free_quantity: number;
  options: ResolvedOption[];
}

export interface ResolvedItem {
  id: string;
  name: string;
  description: string | null;
  image_url: string | null;
  tags: string[];
  allergens: string[];
  sku: string | null;
  price: Money;
  tax: { category: string | null; rate_bps: number; prices_include_tax: boolean };
  variants: Array<{ id: string; name: string; sku: string | null; price: Money }>;
  modifier_groups: ResolvedGroup[];
}

export interface ResolvedMenu {
  store_id: string;
  channel: Channel;
  currency: string;
  prices_include_tax: boolean;
  menus: Array<{
    id: string;
    name: string;
    categories: Array<{ id: string; name: string; description: string | null; items: ResolvedItem[] }>;
  }>;
}

export interface Resolution {
  menu: ResolvedMenu;
  /** The output is the same for every instant in [validFrom, validUntil) (absent writes). */
  validFrom: number;
  validUntil: number;
  /** Bumped by every catalog write of the brand (null before its first write). */
  catalogVersion: number | null;
  storeVersion: number;
  organizationId: string;
}

interface MenuRow {
  id: string;
  name: string;
  windows: AvailabilityWindow[];
}
interface CategoryRow {
  menu_id: string;
  id: string;
  name: string;
  description: string | null;
}
interface ItemRow {
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
interface VariantRow {
  id: string;
  item_id: string;
  name: string;
  sku: string | null;
  price: number;
}
interface ItemGroupRow {
  item_id: string;
  group_id: string;
}
interface OptionRow {
  id: string;
  group_id: string;
  name: string;
  price: number;
  max_quantity: number;
  is_available: boolean;
  child_group_id: string | null;
}
interface GroupRow {
  id: string;
  name: string;
  min_select: number;
  max_select: number;
  free_quantity: number;
}
interface OverrideRow {
  item_id: string | null;
  variant_id: string | null;
  option_id: string | null;
  channel: string | null;
  price: number;
}
interface EightySixRow {
  item_id: string | null;
  option_id: string | null;
  until: Date | null;
}
interface StoreFactsRow {
  prices_include_tax: boolean | null;
  rates: Record<string, number>;
  catalog_version: number | null;
}

/** The SQL of a build, in order; every one is keyed by the store, its brand, or ids found before. */
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
  overrides: (storeId: string, channel: Channel) => sql<OverrideRow>`
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

export interface ResolveDeps {
  db: Db;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
}

/** Loads and resolves in one read-only REPEATABLE READ snapshot. Unknown store: NotFoundError. */
export async function resolveMenu(deps: ResolveDeps, storeId: string, channel: Channel, at: Date): Promise<Resolution> {
  return deps.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const store = await deps.tenancy.api.findStore(storeId, trx);
      if (!store) throw new NotFoundError('store');
      const atMs = at.getTime();
      const [menuRows, facts, overrides, eightySixes] = [
        (await queries.menus(store.id, store.organization_id).execute(trx)).rows,
        (await queries.storeFacts(store.id, store.organization_id).execute(trx)).rows[0]!,
        (await queries.overrides(store.id, channel).execute(trx)).rows,
        (await queries.eightySixes(store.id).execute(trx)).rows,
      ];

      let validFrom = atMs - HORIZON_MS;
      let validUntil = atMs + HORIZON_MS;
      const openMenus: MenuRow[] = [];
      for (const menu of menuRows) {
        const availability = availabilityAt(store.timezone, menu.windows, atMs);
        validFrom = Math.max(validFrom, availability.since);
        validUntil = Math.min(validUntil, availability.until);
        if (availability.available) openMenus.push(menu);
      }
      const eightySixedItems = new Set<string>();
      const eightySixedOptions = new Set<string>();
      for (const row of eightySixes) {
        const until = row.until?.getTime() ?? null;
        if (until !== null && until <= atMs) {
          validFrom = Math.max(validFrom, until);
          continue;
        }
        if (until !== null) validUntil = Math.min(validUntil, until);
        if (row.item_id) eightySixedItems.add(row.item_id);
        if (row.option_id) eightySixedOptions.add(row.option_id);
      }

      const categories = (await queries.categories(openMenus.map((menu) => menu.id)).execute(trx)).rows;
      const categoryIds = [...new Set(categories.map((category) => category.id))];
      const items = (await queries.items(store.organization_id, categoryIds).execute(trx)).rows.filter(
        (item) => !eightySixedItems.has(item.id),
      );
      const itemIds = items.map((item) => item.id);
      const variants = (await queries.variants(itemIds).execute(trx)).rows;
      const itemGroups = (await queries.itemGroups(itemIds).execute(trx)).rows;
      const topGroupIds = [...new Set(itemGroups.map((row) => row.group_id))];
      const options = (await queries.options(topGroupIds).execute(trx)).rows;
      const allGroupIds = [...new Set([...topGroupIds, ...options.map((option) => option.group_id)])];
      const groups = (await queries.groups(allGroupIds).execute(trx)).rows;

      // Effective price: store + channel override > store override (every channel) > brand price.
      const channelPrices = new Map<string, number>();
      const storePrices = new Map<string, number>();
      for (const row of overrides) {
        const target = (row.item_id ?? row.variant_id ?? row.option_id)!;
        (row.channel === null ? storePrices : channelPrices).set(target, row.price);
      }
      const currency = store.currency;
      const money = (id: string, brandPrice: number): Money => ({
        amount: channelPrices.get(id) ?? storePrices.get(id) ?? brandPrice,
        currency,
      });
      const pricesIncludeTax = facts.prices_include_tax ?? true;

      const optionsByGroup = groupBy(
        options.filter((option) => option.is_available && !eightySixedOptions.has(option.id)),
        (option) => option.group_id,
      );
      const groupById = new Map(groups.map((group) => [group.id, group]));
      const resolveGroup = (groupId: string, depth: number): ResolvedGroup | null => {
        const group = groupById.get(groupId);
        if (!group) return null;
        return {
          id: group.id,
          name: group.name,
          min_select: group.min_select,
          max_select: group.max_select,
          free_quantity: group.free_quantity,
          options: (optionsByGroup.get(groupId) ?? []).map((option) => ({
            id: option.id,
            name: option.name,
            price: money(option.id, option.price),
            max_quantity: option.max_quantity,
            child_group: option.child_group_id && depth === 0 ? resolveGroup(option.child_group_id, 1) : null,
          })),
        };
      };
      const groupCache = new Map<string, ResolvedGroup | null>();
      const topGroup = (groupId: string) => {
        if (!groupCache.has(groupId)) groupCache.set(groupId, resolveGroup(groupId, 0));
        return groupCache.get(groupId)!;
      };

      const variantsByItem = groupBy(variants, (variant) => variant.item_id);
      const groupsByItem = groupBy(itemGroups, (row) => row.item_id);
      const resolvedItems = new Map<string, ResolvedItem>();
      for (const item of items) {
        resolvedItems.set(item.id, {
          id: item.id,
          name: item.name,
          description: item.description,
          image_url: item.image_url,
          tags: item.tags,
          allergens: item.allergens,
          sku: item.sku,
          price: money(item.id, item.price),
          tax: {
            category: item.tax_code,
            rate_bps: item.tax_category_id ? (facts.rates[item.tax_category_id] ?? 0) : 0,
            prices_include_tax: pricesIncludeTax,
          },
          variants: (variantsByItem.get(item.id) ?? []).map((variant) => ({
            id: variant.id,
            name: variant.name,
            sku: variant.sku,
            price: money(variant.id, variant.price),
          })),
          modifier_groups: (groupsByItem.get(item.id) ?? [])
            .map((row) => topGroup(row.group_id))
            .filter((group): group is ResolvedGroup => group !== null),
        });
      }
      const itemsByCategory = groupBy(items, (item) => item.category_id);
      const categoriesByMenu = groupBy(categories, (category) => category.menu_id);

      const menu: ResolvedMenu = {
        store_id: store.id,
        channel,
        currency,
        prices_include_tax: pricesIncludeTax,
        menus: openMenus.map((row) => ({
          id: row.id,
          name: row.name,
          categories: (categoriesByMenu.get(row.id) ?? [])
            .map((category) => ({
              id: category.id,
              name: category.name,
              description: category.description,
              items: (itemsByCategory.get(category.id) ?? []).map((item) => resolvedItems.get(item.id)!),
            }))
            .filter((category) => category.items.length > 0),
        })),
      };
      return {
        menu,
        validFrom,
        validUntil,
        catalogVersion: facts.catalog_version,
        storeVersion: store.version,
        organizationId: store.organization_id,
      };
    });
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}
