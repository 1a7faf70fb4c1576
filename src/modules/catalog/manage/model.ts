// The brand catalog as one in-memory value. Every brand-wide write (CRUD and import alike) loads
// it, changes it, validates the whole of it and hands before/after to the repo, which writes only
// the difference: one path, so a single edit and a bulk import obey exactly the same rules.

export interface TaxCategoryModel {
  id: string;
  code: string;
  name: string;
}

export interface OptionModel {
  id: string;
  ref: string;
  name: string;
  price: number;
  max_quantity: number;
  is_available: boolean;
  child_group_id: string | null;
}

export interface GroupModel {
  id: string;
  ref: string;
  name: string;
  min_select: number;
  max_select: number;
  free_quantity: number;
  version: number;
  /** In display order (position = index). */
  options: OptionModel[];
}

export interface CategoryModel {
  id: string;
  ref: string;
  name: string;
  description: string | null;
  position: number;
  version: number;
}

export interface VariantModel {
  id: string;
  ref: string;
  name: string;
  price: number;
  sku: string | null;
}

export interface ItemModel {
  id: string;
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
  version: number;
  /** In display order. */
  variants: VariantModel[];
  /** Attached modifier groups, in display order. */
  modifier_group_ids: string[];
}

export interface AvailabilityWindow {
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  /** Store-local HH:MM; ends_at at or before starts_at runs past midnight. */
  starts_at: string;
  ends_at: string;
}

export interface MenuModel {
  id: string;
  ref: string;
  name: string;
  version: number;
  availability: AvailabilityWindow[];
  /** In display order. */
  category_ids: string[];
}

export interface CatalogModel {
  taxCategories: TaxCategoryModel[];
  groups: GroupModel[];
  categories: CategoryModel[];
  items: ItemModel[];
  menus: MenuModel[];
}

export const KINDS = ['tax_categories', 'categories', 'items', 'modifier_groups', 'menus'] as const;
export type Kind = (typeof KINDS)[number];

export interface KindCounts {
  created: number;
  updated: number;
  deleted: number;
}

export type ChangeReport = Record<Kind, KindCounts>;

export function emptyReport(): ChangeReport {
  return Object.fromEntries(KINDS.map((kind) => [kind, { created: 0, updated: 0, deleted: 0 }])) as ChangeReport;
}

export function totalChanges(report: ChangeReport): number {
  return KINDS.reduce((sum, kind) => sum + report[kind].created + report[kind].updated + report[kind].deleted, 0);
}

export function byId<T extends { id: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((row) => [row.id, row]));
}

export function cloneCatalog(catalog: CatalogModel): CatalogModel {
  return structuredClone(catalog);
}

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
export const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);
