// SQL writing the difference in what a guest picks: modifier groups with their options, and items
// with their variants and attached groups. Called by applyCatalog, in its dependency order.
import { byId, same, type CatalogModel, type ChangeReport, type GroupModel, type ItemModel } from './model.js';
import { bumpVersion, t, type Executor } from './tables.js';

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

/** Groups first without their options (options may open any group as a child), then the options. */
export async function writeModifierGroups(
  ex: Executor,
  org: string,
  before: CatalogModel,
  after: CatalogModel,
  report: ChangeReport,
): Promise<void> {
  const db = t(ex);
  const oldGroups = byId(before.groups);
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
        .set({ ...groupFields(group), ...bumpVersion })
        .where('id', '=', group.id)
        .execute();
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
}

/** Items, their variants (gone ones first: their refs free up) and their attached groups. */
export async function writeItems(
  ex: Executor,
  org: string,
  before: CatalogModel,
  after: CatalogModel,
  report: ChangeReport,
): Promise<void> {
  const db = t(ex);
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
        .set({ ...itemFields(item), ...bumpVersion })
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
}
