// Schemas of the whole-catalog document (import/export: everything by ref, never by id) and the
// import's report of what changed.
import { Type, type Static } from 'typebox';
import { Count, Int } from '../../../platform/http/schema.js';
import { AvailabilityWindow } from './menu-schema.js';
import { closed, ImageUrl, Name, Nullable, Price, Ref, Sku, TaxCode, Word } from './schema-fields.js';

const DocOption = Type.Object(
  {
    ref: Ref,
    name: Name(100),
    price: Type.Optional(Price),
    max_quantity: Type.Optional(Int(1, 1000)),
    is_available: Type.Optional(Type.Boolean()),
    child_group: Type.Optional(
      Nullable(Type.String({ maxLength: 100, description: 'ref of the modifier group this option opens' })),
    ),
  },
  closed,
);
const DocGroup = Type.Object(
  {
    ref: Ref,
    name: Name(100),
    min_select: Type.Optional(Int(0, 1000)),
    max_select: Type.Optional(Int(1, 1000)),
    free_quantity: Type.Optional(Int(0, 1000)),
    options: Type.Array(DocOption, { maxItems: 100 }),
  },
  closed,
);
const DocVariant = Type.Object({ ref: Ref, name: Name(100), price: Price, sku: Type.Optional(Nullable(Sku)) }, closed);
const DocItem = Type.Object(
  {
    ref: Ref,
    name: Name(200),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    image_url: Type.Optional(Nullable(ImageUrl)),
    tags: Type.Optional(Type.Array(Word, { maxItems: 30, uniqueItems: true })),
    allergens: Type.Optional(Type.Array(Word, { maxItems: 30, uniqueItems: true })),
    sku: Type.Optional(Nullable(Sku)),
    tax_category: Type.Optional(Nullable(Type.String({ maxLength: 40, description: 'code of a tax category' }))),
    price: Price,
    variants: Type.Optional(Type.Array(DocVariant, { maxItems: 50 })),
    modifier_groups: Type.Optional(
      Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50, description: 'refs of modifier groups, in order' }),
    ),
  },
  closed,
);
const DocCategory = Type.Object(
  {
    ref: Ref,
    name: Name(100),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    items: Type.Array(DocItem, { maxItems: 2000 }),
  },
  closed,
);
const DocMenu = Type.Object(
  {
    ref: Ref,
    name: Name(100),
    availability: Type.Optional(Type.Array(AvailabilityWindow, { maxItems: 70 })),
    categories: Type.Array(Type.String({ maxLength: 100 }), {
      maxItems: 200,
      description: 'refs of categories, in order',
    }),
  },
  closed,
);
export const CatalogDocument = Type.Object(
  {
    tax_categories: Type.Array(Type.Object({ code: TaxCode, name: Name(100) }, closed), { maxItems: 100 }),
    modifier_groups: Type.Array(DocGroup, { maxItems: 1000 }),
    categories: Type.Array(DocCategory, {
      maxItems: 500,
      description: 'In display order, each with its items in order',
    }),
    menus: Type.Array(DocMenu, { maxItems: 50 }),
  },
  {
    ...closed,
    description:
      'A whole brand catalog. Everything is matched by `ref` (tax categories by `code`); what the document leaves out is deleted.',
  },
);
export type CatalogDocument = Static<typeof CatalogDocument>;

const Counts = Type.Object({ created: Count(), updated: Count(), deleted: Count() });
export const ImportReport = Type.Object({
  catalog_version: Count({
    description: 'The brand’s catalog version after the import (unchanged when nothing changed)',
  }),
  changed: Type.Boolean(),
  tax_categories: Counts,
  categories: Counts,
  items: Counts,
  modifier_groups: Counts,
  menus: Counts,
});
export type ImportReport = Static<typeof ImportReport>;
