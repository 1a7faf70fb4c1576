// SQL of catalog management, and nothing else: loading a brand's catalog, writing the difference
// between two catalog values, the version counter, and the store-scoped tables (published menus,
// tax settings, price overrides, 86s). Every function takes the executor first.
import { sql, type Generated, type Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';
import {
  byId,
  emptyReport,
  type CatalogModel,
  type ChangeReport,
  type GroupModel,
  type ItemModel,
  type MenuModel,
} from './manage-model.js';

type Stamped = { version: Generated<number>; created_at: Generated<Date>; updated_at: Generated<Date> };

export type ManagementTables = {
  catalog_versions: { organization_id: string; version: Generated<number>; updated_at: Generated<Date> };
  tax_categories: { id: string; organization_id: string; code: string; name: string };
  categories: {
    id: string;
    organization_id: string;
    ref: string;
    name: string;
    description: string | null;
    position: number;
  } & Stamped;
  items: {
    id: string;
    organization_id: string;
    ref: string;
    category_id: string;
    name: string;
    description: string | null;
    image_url: string | null;
    tags: string[];
    allergens: string[];
    sku: string | null;
    tax_category_id: string | null;
    price: number;
    position: number;
  } & Stamped;
  item_variants: {
    id: string;
    organization_id: string;
    ref: string;
    item_id: string;
    name: string;
    price: number;
    sku: string | null;
    position: number;
  };
  modifier_groups: {
    id: string;
    organization_id: string;
    ref: string;
    name: string;
    min_select: number;
    max_select: number;
    free_quantity: number;
  } & Stamped;
  modifier_options: {
    id: string;
    organization_id: string;
    ref: string;
    group_id: string;
    name: string;
    price: number;
    max_quantity: number;
    is_available: boolean;
    child_group_id: string | null;
    position: number;
  };
  item_modifier_groups: { item_id: string; group_id: string; organization_id: string; position: number };
  menus: { id: string; organization_id: string; ref: string; name: string } & Stamped;
  menu_availability: { menu_id: string; weekday: number; starts_at: string; ends_at: string };
  menu_categories: { menu_id: string; category_id: string; organization_id: string; position: number };
  store_menus: { store_id: string; menu_id: string; organization_id: string; position: number };
  store_tax_settings: { store_id: string; organization_id: string; prices_include_tax: boolean };
  store_tax_rates: { store_id: string; tax_category_id: string; organization_id: string; rate_bps: number };
  price_overrides: {
    id: string;
    organization_id: string;
    store_id: string;
    item_id: string | null;
    variant_id: string | null;
    option_id: string | null;
    channel: string | null;
    price: number;
  };
  eighty_sixes: {
    id: string;
    organization_id: string;
    store_id: string;
    item_id: string | null;
    option_id: string | null;
    until: Date | null;
    created_by: string | null;
    created_at: Generated<Date>;
    reason: Generated<EightySixReason>;
  };
};

export type Executor = Kysely<PlatformTables>;
const t = (ex: Executor) => ex.withTables<ManagementTables>();

const bump = { version: sql<number>`version + 1`, updated_at: sql<Date>`now()` };
/** Deep equality of plain JSON-like values, whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

const groupFields = (g: GroupModel) => ({
  ref: g.ref,
  name: g.name,
  min_select: g.min_select,
  max_select: g.max_select,
  free_quantity: g.free_quantity,
});
const itemFields = (i: ItemModel) => ({
  ref: i.ref,
  category_id: i.category_id,
  name: i.name,
  description: i.description,
  image_url: i.image_url,
  tags: i.tags,
  allergens: i.allergens,
  sku: i.sku,
  tax_category_id: i.tax_category_id,
  price: i.price,
  position: i.position,
});
const menuFields = (m: MenuModel) => ({ ref: m.ref, name: m.name });

/** 'manual': staff 86'd it; 'sold_out': its tracked stock reached zero (lifted when stock returns). */
export type EightySixReason = 'manual' | 'sold_out';

export interface EightySixRow {
  id: string;
  item_id: string | null;
  option_id: string | null;
  until: Date | null;
  reason: EightySixReason;
  created_at: Date;
}

const EIGHTY_SIX_COLUMNS = ['id', 'item_id', 'option_id', 'until', 'reason', 'created_at'] as const;

export interface PriceOverrideRow {
  id: string;
  item_id: string | null;
  variant_id: string | null;
  option_id: string | null;
  channel: string | null;
  price: number;
}

export const manageRepo = {
  // --- the version counter -------------------------------------------------------------------

  /** Serializes catalog writes of one brand (row lock on its counter, created on first use). */
  async lockCatalog(ex: Executor, organizationId: string): Promise<number> {
    await t(ex)
      .insertInto('catalog_versions')
      .values({ organization_id: organizationId })
      .onConflict((oc) => oc.column('organization_id').doNothing())
      .execute();
    const row = await t(ex)
      .selectFrom('catalog_versions')
      .select('version')
      .where('organization_id', '=', organizationId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    return Number(row.version);
  },

  async bumpCatalogVersion(ex: Executor, organizationId: string): Promise<number> {
    const row = await t(ex)
      .insertInto('catalog_versions')
      .values({ organization_id: organizationId, version: 2 })
      .onConflict((oc) =>
        oc
          .column('organization_id')
          .doUpdateSet({ version: sql`catalog_versions.version + 1`, updated_at: sql`now()` }),
      )
      .returning('version')
      .executeTakeFirstOrThrow();
    return Number(row.version);
  },

  async catalogVersion(ex: Executor, organizationId: string): Promise<number> {
    const row = await t(ex)
      .selectFrom('catalog_versions')
      .select('version')
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();
    return row ? Number(row.version) : 1;
  },

  // --- the brand catalog ---------------------------------------------------------------------

  /** The whole catalog of a brand: a fixed number of indexed queries, however big it is. */
  async loadCatalog(ex: Executor, organizationId: string): Promise<CatalogModel> {
    const db = t(ex);
    const org = organizationId;
    const [taxes, groups, options, categories, items, variants, attachments, menus, windows, menuCategories] =
      await Promise.all([
        db
          .selectFrom('tax_categories')
          .select(['id', 'code', 'name'])
          .where('organization_id', '=', org)
          .orderBy('code')
          .execute(),
        db
          .selectFrom('modifier_groups')
          .select(['id', 'ref', 'name', 'min_select', 'max_select', 'free_quantity', 'version'])
          .where('organization_id', '=', org)
          .orderBy('id')
          .execute(),
        db
          .selectFrom('modifier_options')
          .select(['id', 'ref', 'group_id', 'name', 'price', 'max_quantity', 'is_available', 'child_group_id'])
          .where('organization_id', '=', org)
          .orderBy('group_id')
          .orderBy('position')
          .orderBy('id')
          .execute(),
        db
          .selectFrom('categories')
          .select(['id', 'ref', 'name', 'description', 'position', 'version'])
          .where('organization_id', '=', org)
          .orderBy('position')
          .orderBy('id')
          .execute(),
        db
          .selectFrom('items')
          .select([
            'id',
            'ref',
            'category_id',
            'name',
            'description',
            'image_url',
            'tags',
            'allergens',
            'sku',
            'tax_category_id',
            'price',
            'position',
            'version',
          ])
          .where('organization_id', '=', org)
          .orderBy('category_id')
          .orderBy('position')
          .orderBy('id')
          .execute(),
        db
          .selectFrom('item_variants')
          .select(['id', 'ref', 'item_id', 'name', 'price', 'sku'])
          .where('organization_id', '=', org)
          .orderBy('item_id')
          .orderBy('position')
          .orderBy('id')
          .execute(),
        db
          .selectFrom('item_modifier_groups')
          .select(['item_id', 'group_id'])
          .where('organization_id', '=', org)
          .orderBy('item_id')
          .orderBy('position')
          .execute(),
        db
          .selectFrom('menus')
          .select(['id', 'ref', 'name', 'version'])
          .where('organization_id', '=', org)
          .orderBy('id')
          .execute(),
        db
          .selectFrom('menu_availability as a')
          .innerJoin('menus as m', 'm.id', 'a.menu_id')
          .select([
            'a.menu_id',
            'a.weekday',
            sql<string>`to_char(a.starts_at, 'HH24:MI')`.as('starts_at'),
            sql<string>`to_char(a.ends_at, 'HH24:MI')`.as('ends_at'),
          ])
          .where('m.organization_id', '=', org)
          .orderBy('a.menu_id')
          .orderBy('a.weekday')
          .orderBy('a.starts_at')
          .execute(),
        db
          .selectFrom('menu_categories')
          .select(['menu_id', 'category_id'])
          .where('organization_id', '=', org)
          .orderBy('menu_id')
          .orderBy('position')
          .execute(),
      ]);
    const groupModels: GroupModel[] = groups.map((g) => ({ ...g, options: [] }));
    const groupsById = byId(groupModels);
    for (const { group_id, ...option } of options) groupsById.get(group_id)?.options.push(option);
    const itemModels: ItemModel[] = items.map((i) => ({ ...i, variants: [], modifier_group_ids: [] }));
    const itemsById = byId(itemModels);
    for (const { item_id, ...variant } of variants) itemsById.get(item_id)?.variants.push(variant);
    for (const { item_id, group_id } of attachments) itemsById.get(item_id)?.modifier_group_ids.push(group_id);
    const menuModels: MenuModel[] = menus.map((m) => ({ ...m, availability: [], category_ids: [] }));
    const menusById = byId(menuModels);
    for (const { menu_id, ...window } of windows) menusById.get(menu_id)?.availability.push(window);
    for (const { menu_id, category_id } of menuCategories) menusById.get(menu_id)?.category_ids.push(category_id);
    // Items in category order, then by position: the order export writes them in.
    const categoryOrder = new Map(categories.map((c, index) => [c.id, index]));
    itemModels.sort(
      (a, b) =>
        (categoryOrder.get(a.category_id) ?? 0) - (categoryOrder.get(b.category_id) ?? 0) ||
        a.position - b.position ||
        a.id.localeCompare(b.id),
    );
    return { taxCategories: taxes, groups: groupModels, categories, items: itemModels, menus: menuModels };
  },

  /**
   * Writes what differs between `before` (as loaded) and `after` (validated): inserts and updates
   * in dependency order, then deletes in reverse. A versioned resource whose own fields or
   * children changed gets its version bumped. Returns what changed, per kind.
   */
  async applyCatalog(
    ex: Executor,
    organizationId: string,
    before: CatalogModel,
    after: CatalogModel,
  ): Promise<ChangeReport> {
    const db = t(ex);
    const org = organizationId;
    const report = emptyReport();

    // tax categories
    const oldTaxes = byId(before.taxCategories);
    for (const tax of after.taxCategories) {
      const old = oldTaxes.get(tax.id);
      if (!old) {
        await db
          .insertInto('tax_categories')
          .values({ ...tax, organization_id: org })
          .execute();
        report.tax_categories.created++;
      } else if (old.code !== tax.code || old.name !== tax.name) {
        await db
          .updateTable('tax_categories')
          .set({ code: tax.code, name: tax.name })
          .where('id', '=', tax.id)
          .execute();
        report.tax_categories.updated++;
      }
    }

    // modifier groups first without their options (options may open any group as a child)
    const oldGroups = byId(before.groups);
    const groupsChanged = new Set<string>();
    for (const group of after.groups) {
      const old = oldGroups.get(group.id);
      if (!old) {
        await db
          .insertInto('modifier_groups')
          .values({ id: group.id, organization_id: org, ...groupFields(group) })
          .execute();
        report.modifier_groups.created++;
      } else if (!same(groupFields(old), groupFields(group)) || !same(old.options, group.options)) {
        await db
          .updateTable('modifier_groups')
          .set({ ...groupFields(group), ...bump })
          .where('id', '=', group.id)
          .execute();
        groupsChanged.add(group.id);
        report.modifier_groups.updated++;
      }
    }
    // Options of kept groups that go away: before the others are written (their refs free up).
    const keptOptionIds = new Set(after.groups.flatMap((g) => g.options.map((o) => o.id)));
    const goneOptions = before.groups
      .flatMap((g) => g.options)
      .filter((o) => !keptOptionIds.has(o.id))
      .map((o) => o.id);
    if (goneOptions.length > 0) await db.deleteFrom('modifier_options').where('id', 'in', goneOptions).execute();
    const oldOptions = new Map(
      before.groups.flatMap((g) => g.options.map((o, position) => [o.id, { ...o, position }] as const)),
    );
    for (const group of after.groups) {
      for (const [position, option] of group.options.entries()) {
        const old = oldOptions.get(option.id);
        if (!old)
          await db
            .insertInto('modifier_options')
            .values({ ...option, organization_id: org, group_id: group.id, position })
            .execute();
        else if (!same(old, { ...option, position }))
          await db
            .updateTable('modifier_options')
            .set({ ...option, position })
            .where('id', '=', option.id)
            .execute();
      }
    }

    // categories
    const oldCategories = byId(before.categories);
    for (const category of after.categories) {
      const { id, version: _version, ...fields } = category;
      const old = oldCategories.get(id);
      if (!old) {
        await db
          .insertInto('categories')
          .values({ id, organization_id: org, ...fields })
          .execute();
        report.categories.created++;
      } else if (!same({ ...old, version: 0 }, { ...category, version: 0 })) {
        await db
          .updateTable('categories')
          .set({ ...fields, ...bump })
          .where('id', '=', id)
          .execute();
        report.categories.updated++;
      }
    }

    // items, their variants and attached groups
    const oldItems = byId(before.items);
    const keptVariantIds = new Set(after.items.flatMap((i) => i.variants.map((v) => v.id)));
    const goneVariants = before.items
      .flatMap((i) => i.variants)
      .filter((v) => !keptVariantIds.has(v.id))
      .map((v) => v.id);
    if (goneVariants.length > 0) await db.deleteFrom('item_variants').where('id', 'in', goneVariants).execute();
    const oldVariants = new Map(
      before.items.flatMap((i) => i.variants.map((v, position) => [v.id, { ...v, position }] as const)),
    );
    for (const item of after.items) {
      const old = oldItems.get(item.id);
      if (!old) {
        await db
          .insertInto('items')
          .values({ id: item.id, organization_id: org, ...itemFields(item) })
          .execute();
        report.items.created++;
      } else if (
        !same(itemFields(old), itemFields(item)) ||
        !same(old.variants, item.variants) ||
        !same(old.modifier_group_ids, item.modifier_group_ids)
      ) {
        await db
          .updateTable('items')
          .set({ ...itemFields(item), ...bump })
          .where('id', '=', item.id)
          .execute();
        report.items.updated++;
      }
      for (const [position, variant] of item.variants.entries()) {
        const oldVariant = oldVariants.get(variant.id);
        if (!oldVariant)
          await db
            .insertInto('item_variants')
            .values({ ...variant, organization_id: org, item_id: item.id, position })
            .execute();
        else if (!same(oldVariant, { ...variant, position }))
          await db
            .updateTable('item_variants')
            .set({ ...variant, position })
            .where('id', '=', variant.id)
            .execute();
      }
      if (!old || !same(old.modifier_group_ids, item.modifier_group_ids)) {
        await db.deleteFrom('item_modifier_groups').where('item_id', '=', item.id).execute();
        if (item.modifier_group_ids.length > 0) {
          await db
            .insertInto('item_modifier_groups')
            .values(
              item.modifier_group_ids.map((group_id, position) => ({
                item_id: item.id,
                group_id,
                organization_id: org,
                position,
              })),
            )
            .execute();
        }
      }
    }

    // menus, their hours and categories
    const oldMenus = byId(before.menus);
    for (const menu of after.menus) {
      const old = oldMenus.get(menu.id);
      if (!old) {
        await db
          .insertInto('menus')
          .values({ id: menu.id, organization_id: org, ...menuFields(menu) })
          .execute();
        report.menus.created++;
      } else if (
        !same(menuFields(old), menuFields(menu)) ||
        !same(old.availability, menu.availability) ||
        !same(old.category_ids, menu.category_ids)
      ) {
        await db
          .updateTable('menus')
          .set({ ...menuFields(menu), ...bump })
          .where('id', '=', menu.id)
          .execute();
        report.menus.updated++;
      }
      if (!old || !same(old.availability, menu.availability)) {
        await db.deleteFrom('menu_availability').where('menu_id', '=', menu.id).execute();
        if (menu.availability.length > 0)
          await db
            .insertInto('menu_availability')
            .values(menu.availability.map((w) => ({ menu_id: menu.id, ...w })))
            .execute();
      }
      if (!old || !same(old.category_ids, menu.category_ids)) {
        await db.deleteFrom('menu_categories').where('menu_id', '=', menu.id).execute();
        if (menu.category_ids.length > 0) {
          await db
            .insertInto('menu_categories')
            .values(
              menu.category_ids.map((category_id, position) => ({
                menu_id: menu.id,
                category_id,
                organization_id: org,
                position,
              })),
            )
            .execute();
        }
      }
    }

    // deletes, dependents first
    const gone = <T extends { id: string }>(old: T[], kept: T[]) => {
      const keep = new Set(kept.map((row) => row.id));
      return old.filter((row) => !keep.has(row.id)).map((row) => row.id);
    };
    const goneMenus = gone(before.menus, after.menus);
    if (goneMenus.length > 0)
      await db.deleteFrom('menus').where('organization_id', '=', org).where('id', 'in', goneMenus).execute();
    const goneItems = gone(before.items, after.items);
    if (goneItems.length > 0)
      await db.deleteFrom('items').where('organization_id', '=', org).where('id', 'in', goneItems).execute();
    const goneCategories = gone(before.categories, after.categories);
    if (goneCategories.length > 0)
      await db.deleteFrom('categories').where('organization_id', '=', org).where('id', 'in', goneCategories).execute();
    const goneGroups = gone(before.groups, after.groups);
    if (goneGroups.length > 0) {
      // Options of groups going away may open each other: drop them all before any group.
      await db.deleteFrom('modifier_options').where('group_id', 'in', goneGroups).execute();
      await db.deleteFrom('modifier_groups').where('organization_id', '=', org).where('id', 'in', goneGroups).execute();
    }
    const goneTaxes = gone(before.taxCategories, after.taxCategories);
    if (goneTaxes.length > 0)
      await db.deleteFrom('tax_categories').where('organization_id', '=', org).where('id', 'in', goneTaxes).execute();
    report.menus.deleted = goneMenus.length;
    report.items.deleted = goneItems.length;
    report.categories.deleted = goneCategories.length;
    report.modifier_groups.deleted = goneGroups.length;
    report.tax_categories.deleted = goneTaxes.length;
    return report;
  },

  /** The organization a catalog row belongs to; null for no such row (or a malformed id). */
  async organizationOf(
    ex: Executor,
    table: 'categories' | 'items' | 'modifier_groups' | 'menus' | 'tax_categories',
    id: string,
  ): Promise<string | null> {
    const row = await t(ex).selectFrom(table).select('organization_id').where('id', '=', id).executeTakeFirst();
    return row?.organization_id ?? null;
  },

  // --- store-scoped --------------------------------------------------------------------------

  /** Which of these ids are rows of the organization in the table. */
  async idsOfOrganization(
    ex: Executor,
    table: 'items' | 'item_variants' | 'modifier_options' | 'menus' | 'tax_categories',
    organizationId: string,
    ids: string[],
  ): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await t(ex)
      .selectFrom(table)
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('id', 'in', ids)
      .execute();
    return new Set(rows.map((row) => row.id));
  },

  async publishedMenuIds(ex: Executor, storeId: string): Promise<string[]> {
    const rows = await t(ex)
      .selectFrom('store_menus')
      .select('menu_id')
      .where('store_id', '=', storeId)
      .orderBy('position')
      .orderBy('menu_id')
      .execute();
    return rows.map((row) => row.menu_id);
  },

  async replacePublishedMenus(ex: Executor, organizationId: string, storeId: string, menuIds: string[]): Promise<void> {
    await t(ex).deleteFrom('store_menus').where('store_id', '=', storeId).execute();
    if (menuIds.length === 0) return;
    await t(ex)
      .insertInto('store_menus')
      .values(
        menuIds.map((menu_id, position) => ({ store_id: storeId, menu_id, organization_id: organizationId, position })),
      )
      .execute();
  },

  async taxSettings(
    ex: Executor,
    storeId: string,
  ): Promise<{ prices_include_tax: boolean; rates: Array<{ tax_category_id: string; rate_bps: number }> }> {
    const settings = await t(ex)
      .selectFrom('store_tax_settings')
      .select('prices_include_tax')
      .where('store_id', '=', storeId)
      .executeTakeFirst();
    const rates = await t(ex)
      .selectFrom('store_tax_rates')
      .select(['tax_category_id', 'rate_bps'])
      .where('store_id', '=', storeId)
      .orderBy('tax_category_id')
      .execute();
    return { prices_include_tax: settings?.prices_include_tax ?? true, rates };
  },

  async replaceTaxSettings(
    ex: Executor,
    organizationId: string,
    storeId: string,
    input: { prices_include_tax: boolean; rates: Array<{ tax_category_id: string; rate_bps: number }> },
  ): Promise<void> {
    await t(ex)
      .insertInto('store_tax_settings')
      .values({ store_id: storeId, organization_id: organizationId, prices_include_tax: input.prices_include_tax })
      .onConflict((oc) => oc.column('store_id').doUpdateSet({ prices_include_tax: input.prices_include_tax }))
      .execute();
    await t(ex).deleteFrom('store_tax_rates').where('store_id', '=', storeId).execute();
    if (input.rates.length === 0) return;
    await t(ex)
      .insertInto('store_tax_rates')
      .values(input.rates.map((rate) => ({ ...rate, store_id: storeId, organization_id: organizationId })))
      .execute();
  },

  async priceOverrides(ex: Executor, storeId: string): Promise<PriceOverrideRow[]> {
    return t(ex)
      .selectFrom('price_overrides')
      .select(['id', 'item_id', 'variant_id', 'option_id', 'channel', 'price'])
      .where('store_id', '=', storeId)
      .orderBy('id')
      .execute();
  },

  async replacePriceOverrides(
    ex: Executor,
    organizationId: string,
    storeId: string,
    rows: PriceOverrideRow[],
  ): Promise<void> {
    await t(ex).deleteFrom('price_overrides').where('store_id', '=', storeId).execute();
    if (rows.length === 0) return;
    await t(ex)
      .insertInto('price_overrides')
      .values(rows.map((row) => ({ ...row, store_id: storeId, organization_id: organizationId })))
      .execute();
  },

  /** 86s in force at `now` (no end, or an end still ahead). */
  async activeEightySixes(ex: Executor, storeId: string, now: Date): Promise<EightySixRow[]> {
    return t(ex)
      .selectFrom('eighty_sixes')
      .select(EIGHTY_SIX_COLUMNS)
      .where('store_id', '=', storeId)
      .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', now)]))
      .orderBy('id')
      .execute();
  },

  /** One 86 per target and store: a new one replaces the old (a new end, or none). */
  async putEightySix(
    ex: Executor,
    row: {
      id: string;
      organization_id: string;
      store_id: string;
      item_id: string | null;
      option_id: string | null;
      until: Date | null;
      created_by: string | null;
    },
  ): Promise<EightySixRow> {
    await t(ex)
      .deleteFrom('eighty_sixes')
      .where('store_id', '=', row.store_id)
      .where(sql<boolean>`coalesce(item_id, option_id) = ${row.item_id ?? row.option_id}`)
      .execute();
    return t(ex).insertInto('eighty_sixes').values(row).returning(EIGHTY_SIX_COLUMNS).executeTakeFirstOrThrow();
  },

  async deleteEightySix(ex: Executor, storeId: string, id: string): Promise<boolean> {
    const result = await t(ex)
      .deleteFrom('eighty_sixes')
      .where('store_id', '=', storeId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },

  /**
   * A sold-out 86 of the item, unless one is in force already (a manual 86 is left as it is).
   * An expired 86 still holds the target's one row (eighty_sixes_target_key): that one is
   * replaced, else the item would show on the menu with nothing left. True when it was written.
   */
  async markSoldOut(
    ex: Executor,
    row: { id: string; organization_id: string; store_id: string; item_id: string },
  ): Promise<boolean> {
    const written = await t(ex)
      .insertInto('eighty_sixes')
      .values({ ...row, option_id: null, until: null, created_by: null, reason: 'sold_out' })
      .onConflict((oc) =>
        oc
          .expression(sql`store_id, coalesce(item_id, option_id)`)
          .doUpdateSet({ id: row.id, reason: 'sold_out', until: null, created_by: null, created_at: sql<Date>`now()` })
          .where('eighty_sixes.until', '<=', sql<Date>`now()`),
      )
      .returning('id')
      .executeTakeFirst();
    return written !== undefined;
  },

  /** Lifts the item's sold-out 86 at the store; a manual one stays. True when there was one. */
  async clearSoldOut(ex: Executor, storeId: string, itemId: string): Promise<boolean> {
    const result = await t(ex)
      .deleteFrom('eighty_sixes')
      .where('store_id', '=', storeId)
      .where('item_id', '=', itemId)
      .where('reason', '=', 'sold_out')
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },

  /** The item's id, organization and name; null for no such item. */
  async findItem(ex: Executor, itemId: string): Promise<{ id: string; organization_id: string; name: string } | null> {
    return (
      (await t(ex)
        .selectFrom('items')
        .select(['id', 'organization_id', 'name'])
        .where('id', '=', itemId)
        .executeTakeFirst()) ?? null
    );
  },
};
