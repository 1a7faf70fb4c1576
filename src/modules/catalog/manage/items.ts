// Items as a catalog collection: sizes (variants) keep their ids when named by id or ref, and
// the category, tax category and attached groups an item names must be the brand's. Its store
// prices and 86s go with it (the database cascades).
import type { Collection } from './collection.js';
import { resolveChildren } from './collection.js';
import { requireIds } from './catalog-edit.js';
import type { ItemInput, VariantInput } from './item-schema.js';
import type { CatalogModel, ItemModel, VariantModel } from './model.js';

function checkItemRefs(draft: CatalogModel, input: ItemInput): void {
  requireIds([input.category_id], new Set(draft.categories.map((c) => c.id)), 'category');
  requireIds([input.tax_category_id], new Set(draft.taxCategories.map((t) => t.id)), 'tax category');
  requireIds(input.modifier_group_ids ?? [], new Set(draft.groups.map((g) => g.id)), 'modifier group');
}

function applyItemInput(item: ItemModel, input: ItemInput): void {
  const { variants, ...fields } = input;
  Object.assign(item, Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
  if (variants !== undefined) {
    item.variants = resolveChildren<VariantInput, VariantModel>(variants, item.variants, 'variant').map((v) => ({
      id: v.id,
      ref: v.ref,
      name: v.name,
      price: v.price,
      sku: v.sku ?? null,
    }));
  }
}

export const items: Collection<
  ItemModel,
  ItemInput & { category_id: string; name: string; price: number },
  ItemInput,
  { limit?: number; cursor?: string; category_id?: string }
> = {
  what: 'item',
  table: 'items',
  kind: 'item',
  report: 'items',
  rows: (catalog) => catalog.items,
  listed: (rows, query) => (query.category_id ? rows.filter((i) => i.category_id === query.category_id) : rows),
  build(draft, id, input) {
    checkItemRefs(draft, input);
    const item: ItemModel = {
      id,
      ref: id,
      category_id: input.category_id,
      name: input.name,
      description: null,
      image_url: null,
      tags: [],
      allergens: [],
      sku: null,
      tax_category_id: null,
      price: input.price,
      position: draft.items.filter((i) => i.category_id === input.category_id).length,
      version: 1,
      variants: [],
      modifier_group_ids: [],
    };
    applyItemInput(item, input);
    return item;
  },
  patch(draft, item, input) {
    checkItemRefs(draft, input);
    applyItemInput(item, input);
  },
};
