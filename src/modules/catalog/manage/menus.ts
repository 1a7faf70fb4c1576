// Menus as a catalog collection: weekly hours (store-local) and the categories they list, which
// must be the brand's. Stores stop publishing a menu that goes (the database cascades).
import type { Collection } from './collection.js';
import { requireIds } from './catalog-edit.js';
import type { CatalogModel, MenuModel } from './model.js';

type MenuFields = Partial<Omit<MenuModel, 'id' | 'version'>>;

const requireCategories = (draft: CatalogModel, input: MenuFields) =>
  requireIds(input.category_ids ?? [], new Set(draft.categories.map((c) => c.id)), 'category');

export const menus: Collection<MenuModel, MenuFields & { name: string }, MenuFields> = {
  what: 'menu',
  table: 'menus',
  kind: 'menu',
  report: 'menus',
  rows: (catalog) => catalog.menus,
  build(draft, id, input) {
    requireCategories(draft, input);
    return {
      id,
      ref: input.ref ?? id,
      name: input.name,
      version: 1,
      availability: input.availability ?? [],
      category_ids: input.category_ids ?? [],
    };
  },
  patch(draft, menu, input) {
    requireCategories(draft, input);
    Object.assign(menu, input);
  },
};
