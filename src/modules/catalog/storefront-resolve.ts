// The menu resolver: the one place that decides what a store sells on a channel at a moment —
// which menus are served (their hours, in the store's zone), which items and options are
// orderable (not 86'd, not switched off, not withheld by a contributor), what each costs (store
// + channel override > store override > brand price, then contributors), which modifier groups
// an item has (nested one level) and that a category with nothing orderable is left out. The
// REST menu, search, GraphQL and ordering all read its output (through the menu cache).
//
// It also says between which instants the result stays the same (menu windows opening or
// closing, 86s and contributions expiring), so the cache can serve it for every `at` in that range.
import type { Db } from '../../platform/db/index.js';
import { NotFoundError } from '../../platform/http/errors.js';
import type { TenancyApi } from '../tenancy/index.js';
import { availabilityAt, HORIZON_MS } from './availability.js';
import { collectAdjustments, type CombinedAdjustment, type MenuContributor } from './menu-contributors.js';
import type {
  Money,
  PriceChannel,
  Resolution,
  ResolvedGroup,
  ResolvedItem,
  ResolvedMenu,
  ResolvedOption,
} from './resolved-menu.js';
import {
  loadMenuContentRows,
  loadStoreMenuRows,
  type EightySixRow,
  type MenuContentRows,
  type MenuRow,
  type StoreMenuRows,
} from './storefront-repo.js';

export interface ResolveDeps {
  db: Db;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  /** Run in order on every build; empty by default. */
  contributors?: readonly MenuContributor[];
}

/** An interval of instants (epoch ms), narrowed as each rule says until when it holds. */
class Validity {
  constructor(
    public from: number,
    public until: number,
  ) {}
  narrow(from: number, until: number): void {
    this.from = Math.max(this.from, from);
    this.until = Math.min(this.until, until);
  }
}

/** The menus served at `at` in the store's zone (no hours: always). */
function servedMenus(zone: string, menus: MenuRow[], atMs: number, validity: Validity): MenuRow[] {
  return menus.filter((menu) => {
    const availability = availabilityAt(zone, menu.windows, atMs);
    validity.narrow(availability.since, availability.until);
    return availability.available;
  });
}

/** Items and options 86'd at `at`: an 86 holds until its `until` (none: until lifted). */
function eightySixedAt(rows: EightySixRow[], atMs: number, validity: Validity) {
  const items = new Set<string>();
  const options = new Set<string>();
  for (const row of rows) {
    const until = row.until?.getTime() ?? null;
    if (until !== null && until <= atMs) {
      validity.narrow(until, Infinity);
      continue;
    }
    if (until !== null) validity.narrow(-Infinity, until);
    if (row.item_id) items.add(row.item_id);
    if (row.option_id) options.add(row.option_id);
  }
  return { items, options };
}

/** Loads and resolves in one read-only REPEATABLE READ snapshot. Unknown store: NotFoundError. */
export async function resolveMenu(
  deps: ResolveDeps,
  storeId: string,
  channel: PriceChannel,
  at: Date,
): Promise<Resolution> {
  return deps.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const store = await deps.tenancy.api.findStore(storeId, trx);
      if (!store) throw new NotFoundError('store');
      const atMs = at.getTime();
      const validity = new Validity(atMs - HORIZON_MS, atMs + HORIZON_MS);
      const storeRows = await loadStoreMenuRows(trx, store, channel);
      const open = servedMenus(store.timezone, storeRows.menus, atMs, validity);
      const eightySixed = eightySixedAt(storeRows.eightySixes, atMs, validity);
      const adjustment = await collectAdjustments(
        deps.contributors ?? [],
        { organizationId: store.organization_id, storeId: store.id, timezone: store.timezone, channel, at },
        trx,
      );
      validity.narrow(adjustment.from, adjustment.until);
      const contents = await loadMenuContentRows(
        trx,
        store.organization_id,
        open.map((menu) => menu.id),
        new Set([...eightySixed.items, ...adjustment.unavailableItems]),
      );
      const menu = assembleMenu({ storeId: store.id, currency: store.currency, channel }, open, storeRows, contents, {
        unavailableOptions: new Set([...eightySixed.options, ...adjustment.unavailableOptions]),
        adjustment,
      });
      return {
        menu,
        validFrom: validity.from,
        validUntil: validity.until,
        catalogVersion: storeRows.facts.catalog_version,
        storeVersion: store.version,
        organizationId: store.organization_id,
      };
    });
}

/** Pure assembly of the resolved menu from the rows of the served menus. */
function assembleMenu(
  scope: { storeId: string; currency: string; channel: PriceChannel },
  open: MenuRow[],
  storeRows: StoreMenuRows,
  contents: MenuContentRows,
  withheld: { unavailableOptions: ReadonlySet<string>; adjustment: CombinedAdjustment },
): ResolvedMenu {
  const { facts } = storeRows;
  const { adjustment } = withheld;
  // Store + channel override > store override (every channel) > brand price.
  const channelPrices = new Map<string, number>();
  const storePrices = new Map<string, number>();
  for (const row of storeRows.overrides) {
    const target = (row.item_id ?? row.variant_id ?? row.option_id)!;
    (row.channel === null ? storePrices : channelPrices).set(target, row.price);
  }
  const storePrice = (id: string, brandPrice: number) => channelPrices.get(id) ?? storePrices.get(id) ?? brandPrice;
  const money = (amount: number): Money => ({ amount, currency: scope.currency });
  const pricesIncludeTax = facts.prices_include_tax ?? true;

  const optionsByGroup = groupBy(
    contents.options.filter((option) => option.is_available && !withheld.unavailableOptions.has(option.id)),
    (option) => option.group_id,
  );
  const groupById = new Map(contents.groups.map((group) => [group.id, group]));
  const resolveGroup = (groupId: string, depth: number): ResolvedGroup | null => {
    const group = groupById.get(groupId);
    if (!group) return null;
    return {
      id: group.id,
      name: group.name,
      min_select: group.min_select,
      max_select: group.max_select,
      free_quantity: group.free_quantity,
      options: (optionsByGroup.get(groupId) ?? []).map((option): ResolvedOption => ({
        id: option.id,
        name: option.name,
        price: money(adjustment.price({ kind: 'option', id: option.id, groupId }, storePrice(option.id, option.price))),
        max_quantity: option.max_quantity,
        // Nesting is one level deep (the catalog refuses deeper): a child group opens nothing.
        child_group: option.child_group_id && depth === 0 ? resolveGroup(option.child_group_id, 1) : null,
      })),
    };
  };
  const topGroups = new Map<string, ResolvedGroup | null>();
  const topGroup = (groupId: string) => {
    if (!topGroups.has(groupId)) topGroups.set(groupId, resolveGroup(groupId, 0));
    return topGroups.get(groupId)!;
  };

  const variantsByItem = groupBy(contents.variants, (variant) => variant.item_id);
  const groupsByItem = groupBy(contents.itemGroups, (row) => row.item_id);
  const resolvedItems = new Map<string, ResolvedItem>();
  for (const item of contents.items) {
    const categoryId = item.category_id;
    resolvedItems.set(item.id, {
      id: item.id,
      name: item.name,
      description: item.description,
      image_url: item.image_url,
      tags: item.tags,
      allergens: item.allergens,
      sku: item.sku,
      price: money(adjustment.price({ kind: 'item', id: item.id, categoryId }, storePrice(item.id, item.price))),
      tax: {
        category: item.tax_code,
        rate_bps: item.tax_category_id ? (facts.rates[item.tax_category_id] ?? 0) : 0,
        prices_include_tax: pricesIncludeTax,
      },
      variants: (variantsByItem.get(item.id) ?? []).map((variant) => ({
        id: variant.id,
        name: variant.name,
        sku: variant.sku,
        price: money(
          adjustment.price(
            { kind: 'variant', id: variant.id, itemId: item.id, categoryId },
            storePrice(variant.id, variant.price),
          ),
        ),
      })),
      modifier_groups: (groupsByItem.get(item.id) ?? [])
        .map((row) => topGroup(row.group_id))
        .filter((group): group is ResolvedGroup => group !== null),
    });
  }
  const itemsByCategory = groupBy(contents.items, (item) => item.category_id);
  const categoriesByMenu = groupBy(contents.categories, (category) => category.menu_id);

  return {
    store_id: scope.storeId,
    channel: scope.channel,
    currency: scope.currency,
    prices_include_tax: pricesIncludeTax,
    menus: open.map((row) => ({
      id: row.id,
      name: row.name,
      categories: (categoriesByMenu.get(row.id) ?? [])
        .map((category) => ({
          id: category.id,
          name: category.name,
          description: category.description,
          items: (itemsByCategory.get(category.id) ?? []).map((item) => resolvedItems.get(item.id)!),
        }))
        // A category with nothing orderable now is left out (a menu stays, even when empty).
        .filter((category) => category.items.length > 0),
    })),
  };
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
