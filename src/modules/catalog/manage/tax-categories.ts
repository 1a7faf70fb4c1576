// Tax categories as a catalog collection: a code stores map to a rate. They carry no version
// (no ETag, no If-Match); one that items still use cannot go.
import { ConflictError } from '../../../platform/http/errors.js';
import type { Collection } from './collection.js';
import type { TaxCategoryModel } from './model.js';

export const taxCategories: Collection<
  TaxCategoryModel,
  { code: string; name: string },
  { code?: string; name?: string }
> = {
  what: 'tax category',
  table: 'tax_categories',
  kind: 'tax_category',
  report: 'tax_categories',
  rows: (catalog) => catalog.taxCategories,
  build: (_draft, id, input) => ({ id, ...input }),
  patch: (_draft, tax, input) => void Object.assign(tax, input),
  release(draft, tax) {
    if (draft.items.some((i) => i.tax_category_id === tax.id))
      throw new ConflictError('TAX_CATEGORY_IN_USE', 'Items still use this tax category; move them to another first.');
  },
};
