// SQL of the brand catalog as a whole: the version counter that serializes a brand's writes,
// loading the catalog as one value, writing the difference between two such values, and which
// organization a row belongs to.
import { sql } from 'kysely';
import { applyCatalog } from './catalog-write-repo.js';
import { byId, type CatalogModel, type GroupModel, type ItemModel, type MenuModel } from './model.js';
import { t, type Executor } from './tables.js';

/** The tables whose rows are the brand catalog's resources (each carries its organization_id). */
export type ResourceTable = 'categories' | 'items' | 'modifier_groups' | 'menus' | 'tax_categories';

export const catalogRepo = {
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
  applyCatalog,

  /** The organization a catalog row belongs to; null for no such row (or a malformed id). */
  async organizationOf(ex: Executor, table: ResourceTable, id: string): Promise<string | null> {
    const row = await t(ex).selectFrom(table).select('organization_id').where('id', '=', id).executeTakeFirst();
    return row?.organization_id ?? null;
  },

  /** Which of these ids are rows of the organization in the table. */
  async idsOfOrganization(
    ex: Executor,
    table: 'items' | 'item_variants' | 'categories' | 'modifier_options' | 'menus' | 'tax_categories',
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

  /** The category of each of these items of the organization (loyalty's per-category bonuses). */
  async categoriesOfItems(ex: Executor, organizationId: string, itemIds: string[]): Promise<Map<string, string>> {
    if (itemIds.length === 0) return new Map();
    const rows = await t(ex)
      .selectFrom('items')
      .select(['id', 'category_id'])
      .where('organization_id', '=', organizationId)
      .where('id', 'in', [...new Set(itemIds)])
      .execute();
    return new Map(rows.map((row) => [row.id, row.category_id]));
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
