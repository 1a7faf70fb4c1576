// The rules of a valid catalog, checked on the whole catalog value after a change, so every
// problem is found at once (never "fix one, meet the next"). They also cover what JSON schemas
// check on HTTP, because the module api (demo seed, import) bypasses route validation.
import type { CatalogModel, GroupModel } from './model.js';

export type ResourceKind = 'tax_category' | 'category' | 'item' | 'modifier_group' | 'menu';

/** Where a problem is: a resource of the catalog and a JSON pointer inside it. */
export interface Problem {
  kind: ResourceKind;
  id: string;
  /** e.g. "/options/2/price"; "" for the resource itself. */
  pointer: string;
  message: string;
}

const TAX_CODE = /^[a-z0-9_-]{1,40}$/;
const TAG = /^[a-z0-9_-]{1,40}$/;
const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

const isMoney = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100_000_000;
const isCount = (value: unknown, min: number) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= 1000;
const textProblem = (value: unknown, min: number, max: number) =>
  typeof value !== 'string' || value.length < min || value.length > max ? `must be ${min}–${max} characters` : null;

/** How many picks the available options of a group allow at most (counting quantities). */
export function groupCapacity(group: GroupModel): number {
  return group.options.filter((option) => option.is_available).reduce((sum, option) => sum + option.max_quantity, 0);
}

export function catalogProblems(catalog: CatalogModel): Problem[] {
  const problems: Problem[] = [];
  const add = (kind: ResourceKind, id: string, pointer: string, message: string) =>
    problems.push({ kind, id, pointer, message });
  const unique = <T>(
    rows: T[],
    keyOf: (row: T) => string | null,
    report: (row: T, key: string, index: number) => void,
  ) => {
    const seen = new Set<string>();
    for (const [index, row] of rows.entries()) {
      const key = keyOf(row);
      if (key === null) continue;
      if (seen.has(key)) report(row, key, index);
      seen.add(key);
    }
  };

  // tax categories
  const taxIds = new Set(catalog.taxCategories.map((tax) => tax.id));
  for (const tax of catalog.taxCategories) {
    if (!TAX_CODE.test(tax.code)) add('tax_category', tax.id, '/code', 'must be 1–40 of a-z, 0-9, _ and -');
    const name = textProblem(tax.name, 1, 100);
    if (name) add('tax_category', tax.id, '/name', name);
  }
  unique(
    catalog.taxCategories,
    (tax) => tax.code,
    (tax, code) => add('tax_category', tax.id, '/code', `"${code}" is used by another tax category`),
  );

  // modifier groups and options
  const groups = new Map(catalog.groups.map((group) => [group.id, group]));
  const opensGroups = (group: GroupModel) => group.options.some((option) => option.child_group_id !== null);
  const openedBy = new Map<string, string>();
  for (const group of catalog.groups)
    for (const option of group.options)
      if (option.child_group_id !== null) openedBy.set(option.child_group_id, group.id);
  for (const group of catalog.groups) {
    const g = (pointer: string, message: string) => add('modifier_group', group.id, pointer, message);
    const ref = textProblem(group.ref, 1, 100);
    if (ref) g('/ref', ref);
    const name = textProblem(group.name, 1, 100);
    if (name) g('/name', name);
    const minOk = isCount(group.min_select, 0);
    const maxOk = isCount(group.max_select, 1);
    if (!minOk) g('/min_select', 'must be a whole number from 0 to 1000');
    if (!maxOk) g('/max_select', 'must be a whole number from 1 to 1000');
    if (!isCount(group.free_quantity, 0)) g('/free_quantity', 'must be a whole number from 0 to 1000');
    if (minOk && maxOk && group.max_select < group.min_select)
      g('/max_select', `must be at least min_select (${group.min_select})`);
    const capacity = groupCapacity(group);
    if (minOk && group.min_select > 0 && group.min_select > capacity) {
      g(
        '/min_select',
        `is ${group.min_select}, but the available options of this required group allow only ${capacity} pick${capacity === 1 ? '' : 's'}`,
      );
    }
    unique(
      group.options,
      (option) => option.ref,
      (_option, key, index) => g(`/options/${index}/ref`, `"${key}" is used by another option of this group`),
    );
    for (const [index, option] of group.options.entries()) {
      const o = (field: string, message: string) => g(`/options/${index}/${field}`, message);
      const optionRef = textProblem(option.ref, 1, 100);
      if (optionRef) o('ref', optionRef);
      const optionName = textProblem(option.name, 1, 100);
      if (optionName) o('name', optionName);
      if (!isMoney(option.price)) o('price', 'must be a whole, non-negative amount in minor units');
      if (!isCount(option.max_quantity, 1)) o('max_quantity', 'must be a whole number from 1 to 1000');
      if (option.child_group_id === null) continue;
      const child = groups.get(option.child_group_id);
      if (option.child_group_id === group.id)
        o('child_group_id', 'would open its own group: nested groups may not loop');
      else if (!child) o('child_group_id', 'is not a modifier group of this catalog');
      else if (opensGroups(child))
        o('child_group_id', `opens "${child.name}", which itself opens further groups: nesting is one level deep`);
    }
    const parent = openedBy.get(group.id);
    if (parent !== undefined && parent !== group.id && opensGroups(group)) {
      const index = group.options.findIndex((option) => option.child_group_id !== null);
      g(
        `/options/${index}/child_group_id`,
        `this group is itself opened by an option of "${groups.get(parent)?.name ?? parent}": nesting is one level deep`,
      );
    }
  }
  unique(
    catalog.groups,
    (group) => group.ref,
    (group, key) => add('modifier_group', group.id, '/ref', `"${key}" is used by another modifier group`),
  );

  // categories
  const categoryIds = new Set(catalog.categories.map((category) => category.id));
  for (const category of catalog.categories) {
    const name = textProblem(category.name, 1, 100);
    if (name) add('category', category.id, '/name', name);
    const ref = textProblem(category.ref, 1, 100);
    if (ref) add('category', category.id, '/ref', ref);
    if (
      category.description !== null &&
      (typeof category.description !== 'string' || category.description.length > 1000)
    )
      add('category', category.id, '/description', 'must be at most 1000 characters');
  }
  unique(
    catalog.categories,
    (category) => category.ref,
    (category, key) => add('category', category.id, '/ref', `"${key}" is used by another category`),
  );

  // items
  for (const item of catalog.items) {
    const i = (pointer: string, message: string) => add('item', item.id, pointer, message);
    const name = textProblem(item.name, 1, 200);
    if (name) i('/name', name);
    const ref = textProblem(item.ref, 1, 100);
    if (ref) i('/ref', ref);
    if (item.description !== null && (typeof item.description !== 'string' || item.description.length > 2000))
      i('/description', 'must be at most 2000 characters');
    if (
      item.image_url !== null &&
      (typeof item.image_url !== 'string' || !item.image_url.startsWith('https://') || item.image_url.length > 2000)
    )
      i('/image_url', 'must be an https:// URL of at most 2000 characters');
    if (item.sku !== null && (typeof item.sku !== 'string' || item.sku.length < 1 || item.sku.length > 64))
      i('/sku', 'must be 1–64 characters');
    if (!isMoney(item.price)) i('/price', 'must be a whole, non-negative amount in minor units');
    if (!categoryIds.has(item.category_id)) i('/category_id', 'is not a category of this catalog');
    if (item.tax_category_id !== null && !taxIds.has(item.tax_category_id))
      i('/tax_category_id', 'is not a tax category of this catalog');
    item.tags.forEach((tag, index) => TAG.test(tag) || i(`/tags/${index}`, 'must be 1–40 of a-z, 0-9, _ and -'));
    item.allergens.forEach(
      (allergen, index) => TAG.test(allergen) || i(`/allergens/${index}`, 'must be 1–40 of a-z, 0-9, _ and -'),
    );
    unique(
      item.modifier_group_ids,
      (id) => id,
      (_id, _key, index) => i(`/modifier_group_ids/${index}`, 'is attached twice'),
    );
    item.modifier_group_ids.forEach(
      (id, index) => groups.has(id) || i(`/modifier_group_ids/${index}`, 'is not a modifier group of this catalog'),
    );
    unique(
      item.variants,
      (variant) => variant.ref,
      (_variant, key, index) => i(`/variants/${index}/ref`, `"${key}" is used by another variant of this item`),
    );
    for (const [index, variant] of item.variants.entries()) {
      const variantName = textProblem(variant.name, 1, 100);
      if (variantName) i(`/variants/${index}/name`, variantName);
      const variantRef = textProblem(variant.ref, 1, 100);
      if (variantRef) i(`/variants/${index}/ref`, variantRef);
      if (!isMoney(variant.price)) i(`/variants/${index}/price`, 'must be a whole, non-negative amount in minor units');
      if (
        variant.sku !== null &&
        (typeof variant.sku !== 'string' || variant.sku.length < 1 || variant.sku.length > 64)
      )
        i(`/variants/${index}/sku`, 'must be 1–64 characters');
    }
  }
  unique(
    catalog.items,
    (item) => item.ref,
    (item, key) => add('item', item.id, '/ref', `"${key}" is used by another item`),
  );
  unique(
    catalog.items,
    (item) => item.sku,
    (item, key) => add('item', item.id, '/sku', `"${key}" is the SKU of another item`),
  );

  // menus
  for (const menu of catalog.menus) {
    const m = (pointer: string, message: string) => add('menu', menu.id, pointer, message);
    const name = textProblem(menu.name, 1, 100);
    if (name) m('/name', name);
    const ref = textProblem(menu.ref, 1, 100);
    if (ref) m('/ref', ref);
    for (const [index, window] of menu.availability.entries()) {
      if (!isCount(window.weekday, 1) || window.weekday > 7)
        m(`/availability/${index}/weekday`, 'must be an ISO weekday, 1 (Monday) to 7 (Sunday)');
      if (!HHMM.test(window.starts_at)) m(`/availability/${index}/starts_at`, 'must be a store-local time HH:MM');
      if (!HHMM.test(window.ends_at)) m(`/availability/${index}/ends_at`, 'must be a store-local time HH:MM');
    }
    unique(
      menu.availability,
      (w) => `${w.weekday} ${w.starts_at}`,
      (_w, _key, index) => m(`/availability/${index}`, 'starts at the same time on the same day as another window'),
    );
    unique(
      menu.category_ids,
      (id) => id,
      (_id, _key, index) => m(`/category_ids/${index}`, 'is listed twice'),
    );
    menu.category_ids.forEach(
      (id, index) => categoryIds.has(id) || m(`/category_ids/${index}`, 'is not a category of this catalog'),
    );
  }
  unique(
    catalog.menus,
    (menu) => menu.ref,
    (menu, key) => add('menu', menu.id, '/ref', `"${key}" is used by another menu`),
  );

  return problems;
}
