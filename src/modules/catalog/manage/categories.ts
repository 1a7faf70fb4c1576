// Categories as a catalog collection: a new one goes last unless given a position; one that
// still has items cannot go, and menus stop listing one that goes.
import { ConflictError } from '../../../platform/http/errors.js';
import type { Collection } from './collection.js';
import type { CategoryModel } from './model.js';

export const categories: Collection<
  CategoryModel,
  { ref?: string; name: string; description?: string | null; position?: number },
  Partial<Pick<CategoryModel, 'ref' | 'name' | 'description' | 'position'>>
> = {
  what: 'category',
  table: 'categories',
  kind: 'category',
  report: 'categories',
  rows: (catalog) => catalog.categories,
  build: (draft, id, input) => ({
    id,
    ref: input.ref ?? id,
    name: input.name,
    description: input.description ?? null,
    position: input.position ?? draft.categories.length,
    version: 1,
  }),
  patch: (_draft, category, input) => void Object.assign(category, input),
  release(draft, category) {
    if (draft.items.some((i) => i.category_id === category.id))
      throw new ConflictError('CATEGORY_NOT_EMPTY', 'The category still has items; move or delete them first.');
    for (const menu of draft.menus) menu.category_ids = menu.category_ids.filter((c) => c !== category.id);
  },
};
