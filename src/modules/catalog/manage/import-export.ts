// The catalog as one JSON document (export) and back (import). The document names things by
// their stable `ref` (tax categories by `code`), never by id, so it can move between
// environments, live in git, and be imported twice with no change the second time: a ref that
// exists keeps its row and id (and so its store prices and 86s).
import { v7 as uuidv7 } from 'uuid';
import type { FieldError } from '../../../platform/http/errors.js';
import type { CatalogModel, GroupModel, ItemModel } from './model.js';
import type { CatalogDocument } from './document-schema.js';
import type { Problem } from './validate.js';

export function catalogToDocument(catalog: CatalogModel): CatalogDocument {
  const groupRef = new Map(catalog.groups.map((g) => [g.id, g.ref]));
  const taxCode = new Map(catalog.taxCategories.map((t) => [t.id, t.code]));
  const categoryRef = new Map(catalog.categories.map((c) => [c.id, c.ref]));
  const itemsOf = new Map<string, ItemModel[]>();
  for (const item of catalog.items) itemsOf.set(item.category_id, [...(itemsOf.get(item.category_id) ?? []), item]);
  return {
    tax_categories: catalog.taxCategories.map(({ code, name }) => ({ code, name })),
    modifier_groups: catalog.groups.map((g) => ({
      ref: g.ref,
      name: g.name,
      min_select: g.min_select,
      max_select: g.max_select,
      free_quantity: g.free_quantity,
      options: g.options.map((o) => ({
        ref: o.ref,
        name: o.name,
        price: o.price,
        max_quantity: o.max_quantity,
        is_available: o.is_available,
        child_group: o.child_group_id === null ? null : (groupRef.get(o.child_group_id) ?? null),
      })),
    })),
    categories: catalog.categories.map((c) => ({
      ref: c.ref,
      name: c.name,
      description: c.description,
      items: (itemsOf.get(c.id) ?? []).map((i) => ({
        ref: i.ref,
        name: i.name,
        description: i.description,
        image_url: i.image_url,
        tags: i.tags,
        allergens: i.allergens,
        sku: i.sku,
        tax_category: i.tax_category_id === null ? null : (taxCode.get(i.tax_category_id) ?? null),
        price: i.price,
        variants: i.variants.map((v) => ({ ref: v.ref, name: v.name, price: v.price, sku: v.sku })),
        modifier_groups: i.modifier_group_ids.map((id) => groupRef.get(id) ?? id),
      })),
    })),
    menus: catalog.menus.map((m) => ({
      ref: m.ref,
      name: m.name,
      availability: m.availability,
      categories: m.category_ids.map((id) => categoryRef.get(id) ?? id),
    })),
  };
}

export interface ImportPlan {
  catalog: CatalogModel;
  /** Problems found while resolving refs (unknown or duplicate), with document paths. */
  problems: FieldError[];
  /** Maps a validation problem of the resulting catalog to the document path it came from. */
  pathOf(problem: Problem): string;
}

// Model field names → document field names, for validation problems.
const RENAMES: Array<[RegExp, string]> = [
  [/^\/tax_category_id$/, '/tax_category'],
  [/^\/modifier_group_ids\//, '/modifier_groups/'],
  [/^\/category_ids\//, '/categories/'],
  [/\/child_group_id$/, '/child_group'],
];

/** The catalog the document describes, reusing the ids of `current` wherever a ref matches. */
export function documentToCatalog(document: CatalogDocument, current: CatalogModel, base = ''): ImportPlan {
  const problems: FieldError[] = [];
  const paths = new Map<string, string>();
  const lookup = <T extends { ref: string; id: string }>(rows: T[]) => new Map(rows.map((row) => [row.ref, row]));
  const oldTaxes = new Map(current.taxCategories.map((t) => [t.code, t]));
  const oldGroups = lookup(current.groups);
  const oldCategories = lookup(current.categories);
  const oldItems = lookup(current.items);
  const oldMenus = lookup(current.menus);

  const taxCategories = document.tax_categories.map((t, index) => {
    const id = oldTaxes.get(t.code)?.id ?? uuidv7();
    paths.set(id, `${base}/tax_categories/${index}`);
    return { id, code: t.code, name: t.name };
  });
  const taxIdByCode = new Map(taxCategories.map((t) => [t.code, t.id]));

  // Groups get their ids first, so options can open any group of the document.
  const groupIdByRef = new Map<string, string>();
  for (const g of document.modifier_groups)
    if (!groupIdByRef.has(g.ref)) groupIdByRef.set(g.ref, oldGroups.get(g.ref)?.id ?? uuidv7());
  const groups: GroupModel[] = document.modifier_groups.map((g, index) => {
    const path = `${base}/modifier_groups/${index}`;
    const old = oldGroups.get(g.ref);
    // A duplicate ref (reported by validation) gets an id of its own.
    const firstWithRef = document.modifier_groups.findIndex((other) => other.ref === g.ref) === index;
    const groupId = firstWithRef ? groupIdByRef.get(g.ref)! : uuidv7();
    paths.set(groupId, path);
    const oldOptions = new Map((firstWithRef ? (old?.options ?? []) : []).map((o) => [o.ref, o]));
    return {
      id: groupId,
      ref: g.ref,
      name: g.name,
      min_select: g.min_select ?? 0,
      max_select: g.max_select ?? 1,
      free_quantity: g.free_quantity ?? 0,
      version: old?.version ?? 1,
      options: g.options.map((o, optionIndex) => {
        let child: string | null = null;
        if (o.child_group != null) {
          child = groupIdByRef.get(o.child_group) ?? null;
          if (child === null)
            problems.push({
              path: `${path}/options/${optionIndex}/child_group`,
              message: `no modifier group with ref "${o.child_group}" in this document`,
            });
        }
        return {
          id: oldOptions.get(o.ref)?.id ?? uuidv7(),
          ref: o.ref,
          name: o.name,
          price: o.price ?? 0,
          max_quantity: o.max_quantity ?? 1,
          is_available: o.is_available ?? true,
          child_group_id: child,
        };
      }),
    };
  });

  const categoryIdByRef = new Map<string, string>();
  const categories = document.categories.map((c, index) => {
    const old = oldCategories.get(c.ref);
    const id = categoryIdByRef.has(c.ref) ? uuidv7() : (old?.id ?? uuidv7());
    if (!categoryIdByRef.has(c.ref)) categoryIdByRef.set(c.ref, id);
    paths.set(id, `${base}/categories/${index}`);
    return {
      id,
      ref: c.ref,
      name: c.name,
      description: c.description ?? null,
      position: index,
      version: old?.version ?? 1,
    };
  });

  const itemIds = new Set<string>();
  const items: ItemModel[] = document.categories.flatMap((c, categoryIndex) =>
    c.items.map((i, position) => {
      const path = `${base}/categories/${categoryIndex}/items/${position}`;
      const old = oldItems.get(i.ref);
      const id = old && !itemIds.has(old.id) ? old.id : uuidv7();
      itemIds.add(id);
      paths.set(id, path);
      let taxId: string | null = null;
      if (i.tax_category != null) {
        taxId = taxIdByCode.get(i.tax_category) ?? null;
        if (taxId === null)
          problems.push({
            path: `${path}/tax_category`,
            message: `no tax category with code "${i.tax_category}" in this document`,
          });
      }
      const groupIds: string[] = [];
      (i.modifier_groups ?? []).forEach((ref, groupIndex) => {
        const groupId = groupIdByRef.get(ref);
        if (groupId === undefined)
          problems.push({
            path: `${path}/modifier_groups/${groupIndex}`,
            message: `no modifier group with ref "${ref}" in this document`,
          });
        else groupIds.push(groupId);
      });
      const oldVariants = new Map((old?.variants ?? []).map((v) => [v.ref, v]));
      return {
        id,
        ref: i.ref,
        category_id: categories[categoryIndex]!.id,
        name: i.name,
        description: i.description ?? null,
        image_url: i.image_url ?? null,
        tags: i.tags ?? [],
        allergens: i.allergens ?? [],
        sku: i.sku ?? null,
        tax_category_id: taxId,
        price: i.price,
        position,
        version: old?.version ?? 1,
        variants: (i.variants ?? []).map((v) => ({
          id: oldVariants.get(v.ref)?.id ?? uuidv7(),
          ref: v.ref,
          name: v.name,
          price: v.price,
          sku: v.sku ?? null,
        })),
        modifier_group_ids: groupIds,
      };
    }),
  );

  const menuIds = new Set<string>();
  const menus = document.menus.map((m, index) => {
    const path = `${base}/menus/${index}`;
    const old = oldMenus.get(m.ref);
    const id = old && !menuIds.has(old.id) ? old.id : uuidv7();
    menuIds.add(id);
    paths.set(id, path);
    const categoryIds: string[] = [];
    m.categories.forEach((ref, categoryIndex) => {
      const categoryId = categoryIdByRef.get(ref);
      if (categoryId === undefined)
        problems.push({
          path: `${path}/categories/${categoryIndex}`,
          message: `no category with ref "${ref}" in this document`,
        });
      else categoryIds.push(categoryId);
    });
    return {
      id,
      ref: m.ref,
      name: m.name,
      version: old?.version ?? 1,
      availability: m.availability ?? [],
      category_ids: categoryIds,
    };
  });

  return {
    catalog: { taxCategories, groups, categories, items, menus },
    problems,
    pathOf(problem) {
      let pointer = problem.pointer;
      for (const [pattern, replacement] of RENAMES) pointer = pointer.replace(pattern, replacement);
      return `${paths.get(problem.id) ?? base}${pointer}`;
    },
  };
}
