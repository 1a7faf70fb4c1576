// SQL writing the difference between two values of a brand catalog: what was loaded and what an
// edit or import made of it. Inserts and updates go in dependency order (tax categories, groups,
// categories, items, menus), deletes in reverse.
import { writeItems, writeModifierGroups } from './item-write-repo.js';
import { byId, emptyReport, same, type CatalogModel, type ChangeReport, type MenuModel } from './model.js';
import { bumpVersion, t, type Executor } from './tables.js';

const menuFields = (m: MenuModel) => ({ ref: m.ref, name: m.name });

/**
 * Writes what differs between `before` (as loaded) and `after` (validated). A versioned resource
 * whose own fields or children changed gets its version bumped. Returns what changed, per kind.
 */
export async function applyCatalog(
  ex: Executor,
  organizationId: string,
  before: CatalogModel,
  after: CatalogModel,
): Promise<ChangeReport> {
  const report = emptyReport();
  await writeTaxCategories(ex, organizationId, before, after, report);
  await writeModifierGroups(ex, organizationId, before, after, report);
  await writeCategories(ex, organizationId, before, after, report);
  await writeItems(ex, organizationId, before, after, report);
  await writeMenus(ex, organizationId, before, after, report);
  await deleteGone(ex, organizationId, before, after, report);
  return report;
}

async function writeTaxCategories(
  ex: Executor,
  org: string,
  before: CatalogModel,
  after: CatalogModel,
  report: ChangeReport,
): Promise<void> {
  const db = t(ex);
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
      await db.updateTable('tax_categories').set({ code: tax.code, name: tax.name }).where('id', '=', tax.id).execute();
      report.tax_categories.updated++;
    }
  }
}

async function writeCategories(
  ex: Executor,
  org: string,
  before: CatalogModel,
  after: CatalogModel,
  report: ChangeReport,
): Promise<void> {
  const db = t(ex);
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
        .set({ ...fields, ...bumpVersion })
        .where('id', '=', id)
        .execute();
      report.categories.updated++;
    }
  }
}

/** Menus, their hours and their categories. */
async function writeMenus(
  ex: Executor,
  org: string,
  before: CatalogModel,
  after: CatalogModel,
  report: ChangeReport,
): Promise<void> {
  const db = t(ex);
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
        .set({ ...menuFields(menu), ...bumpVersion })
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
}

/** Deletes, dependents first. */
async function deleteGone(
  ex: Executor,
  org: string,
  before: CatalogModel,
  after: CatalogModel,
  report: ChangeReport,
): Promise<void> {
  const db = t(ex);
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
}
