// The demo catalog as an import document (the same format as PUT /v1/organizations/{id}/catalog).
import type { CatalogDocument } from '../modules/catalog/index.js';
import { DEMO_CATEGORIES, DEMO_GROUPS, DEMO_MENUS } from './menu-data.js';

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

export function demoCatalogDocument(): CatalogDocument {
  return {
    tax_categories: [
      { code: 'food', name: 'Food' },
      { code: 'drinks', name: 'Drinks' },
    ],
    modifier_groups: DEMO_GROUPS.map((group) => ({
      ref: group.ref,
      name: group.name,
      min_select: group.min,
      max_select: group.max,
      free_quantity: group.free ?? 0,
      options: group.options.map((option) => ({
        ref: option.ref,
        name: option.name,
        price: option.price,
        max_quantity: option.max ?? 1,
        child_group: option.opens ?? null,
      })),
    })),
    categories: DEMO_CATEGORIES.map((category) => ({
      ref: category.ref,
      name: category.name,
      items: category.items.map((item) => ({
        ref: item.ref,
        name: item.name,
        description: item.description,
        price: item.price,
        tags: item.tags ?? [],
        allergens: item.allergens ?? [],
        tax_category: item.tax ?? 'food',
        variants: (item.sizes ?? []).map((size, index) => ({
          ref: `${item.ref}-${index + 1}`,
          name: size.name,
          price: size.price,
        })),
        modifier_groups: item.groups ?? [],
      })),
    })),
    menus: DEMO_MENUS.map((menu) => ({
      ref: menu.ref,
      name: menu.name,
      availability:
        menu.hours === null
          ? []
          : EVERY_DAY.map((weekday) => ({ weekday, starts_at: menu.hours.opens, ends_at: menu.hours.closes })),
      categories: menu.categories,
    })),
  };
}
